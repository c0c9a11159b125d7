// Test peer for patchbay: a real OAuth 2.0 / OpenID Connect authorization server
// (panva's oidc-provider) with a scriptable login/consent UI and test-control endpoints.
// See README.md for the configuration and for how a non-browser client drives it.

// oidc-provider prints notices with console.info (stdout). stdout carries exactly one line,
// "READY <base_url>", so every console method goes to stderr. (The imports below are
// evaluated before this line; oidc-provider writes only console.warn while loading.)
for (const m of ['log', 'info', 'debug']) console[m] = (...args) => console.error(...args);

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

import Provider, { errors, interactionPolicy } from 'oidc-provider';

const started = process.hrtime.bigint();

// ---------------------------------------------------------------- configuration

function fail(msg) {
  console.error(`oidc-peer: ${msg}`);
  process.exit(2);
}

function jsonEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  try {
    return JSON.parse(raw);
  } catch (e) {
    return fail(`${name} is not valid JSON: ${e.message}`);
  }
}

const PORT = Number(process.env.PORT ?? 0);
const HOST = process.env.HOST || '127.0.0.1';
const PUBLIC_HOST = process.env.PUBLIC_HOST || (['0.0.0.0', '::'].includes(HOST) ? '127.0.0.1' : HOST);
const TLS_CERT = process.env.TLS_CERT;
const TLS_KEY = process.env.TLS_KEY;
const ACCESS_TOKEN_TTL = Number(process.env.ACCESS_TOKEN_TTL ?? 3600);
const QUIET = process.env.QUIET === '1';
// oidc-provider's default clockTolerance (15 s) also applies to access token expiry, which
// would keep a token with ACCESS_TOKEN_TTL=1 usable for 16 s. Default here: 0.
const CLOCK_TOLERANCE = Number(process.env.CLOCK_TOLERANCE ?? 0);

if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) fail('PORT must be an integer 0..65535');
if (!Number.isInteger(ACCESS_TOKEN_TTL) || ACCESS_TOKEN_TTL < 1) fail('ACCESS_TOKEN_TTL must be a positive integer (seconds)');
if (!Number.isInteger(CLOCK_TOLERANCE) || CLOCK_TOLERANCE < 0) fail('CLOCK_TOLERANCE must be a non-negative integer (seconds)');
if (Boolean(TLS_CERT) !== Boolean(TLS_KEY)) fail('set both TLS_CERT and TLS_KEY, or neither');

const BASE_SCOPES = ['openid', 'email', 'profile', 'offline_access'];
const extraScopes = jsonEnv('SCOPES', []);
if (!Array.isArray(extraScopes) || !extraScopes.every((s) => typeof s === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))) {
  fail('SCOPES must be a JSON array of scope strings (no spaces, quotes or backslashes)');
}
const SCOPES = [...new Set([...BASE_SCOPES, ...extraScopes])];

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];
// oidc-provider 9 accepts client_secret_basic AND client_secret_post for a client registered
// with either one. A client given an explicit token_endpoint_auth_method is held to it by
// this server (see strictAuthCheck); a client without one accepts both.
const STRICT_AUTH = new Map(); // client_id -> required method
const clientsIn = jsonEnv('CLIENTS', []);
if (!Array.isArray(clientsIn)) fail('CLIENTS must be a JSON array');
const CLIENTS = clientsIn.map((c, i) => {
  if (!c || typeof c.client_id !== 'string' || typeof c.client_secret !== 'string'
      || !Array.isArray(c.redirect_uris) || c.redirect_uris.length === 0) {
    fail(`CLIENTS[${i}] needs client_id, client_secret and a non-empty redirect_uris array`);
  }
  const method = c.token_endpoint_auth_method ?? 'client_secret_basic';
  if (!AUTH_METHODS.includes(method)) fail(`CLIENTS[${i}].token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
  if (c.token_endpoint_auth_method) STRICT_AUTH.set(c.client_id, method);
  return {
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    token_endpoint_auth_method: method,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };
});

// ---------------------------------------------------------------- accounts

// Any login name is accepted. The account id (`sub`) is a stable 21-digit number derived
// from the lower-cased login (Google-like), so `sub` != email and the same email always
// yields the same `sub`, also across restarts.
const accounts = new Map(); // sub -> { email, name }
const grantsByAccount = new Map(); // "<sub> <client_id>" -> grant id (last consent)

function subFor(email) {
  const n = BigInt(`0x${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 24)}`);
  return `1${(n % 10n ** 20n).toString().padStart(20, '0')}`;
}

function displayName(email) {
  const local = email.split('@')[0] || email;
  return local.split(/[._-]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(' ') || email;
}

function rememberAccount(email) {
  const sub = subFor(email);
  accounts.set(sub, { email, name: displayName(email) });
  return sub;
}

// ---------------------------------------------------------------- test control state

function freshStats() {
  return {
    token_requests: { authorization_code: 0, refresh_token: 0 },
    revocations: 0,
    introspections: 0,
    userinfo_requests: 0,
    authorizations: 0,
    last_authorization: null,
  };
}
let stats = freshStats();
let tokenMode = 'ok';

function validTokenMode(m) {
  if (m === 'ok' || m === 'error500' || m === 'invalid_grant' || m === 'tamper_id_token') return true;
  if (m && typeof m === 'object' && !Array.isArray(m)) {
    if ('delay_ms' in m) return Number.isInteger(m.delay_ms) && m.delay_ms >= 0;
    if ('status' in m) return Number.isInteger(m.status) && m.status >= 100 && m.status <= 599;
  }
  return false;
}

// ---------------------------------------------------------------- helpers

// Changes one claim of the id_token in the token answer and keeps the original signature,
// as an attacker in the middle would: a client that checks signatures must refuse it.
function tamperIdToken(res) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    try {
      const body = JSON.parse(Buffer.from(chunk).toString('utf8'));
      if (body.id_token) {
        const [h, p, sig] = body.id_token.split('.');
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
        claims.email = 'someone.else@example.com';
        body.id_token = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), sig].join('.');
        chunk = JSON.stringify(body);
        res.setHeader('content-length', Buffer.byteLength(chunk));
      }
    } catch {
      // not JSON: leave it alone
    }
    return end(chunk, ...rest);
  };
}

function sendJson(res, status, body, headers = {}) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(data),
    ...headers,
  });
  res.end(data);
}

function sendHtml(res, status, html, headers = {}) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(html),
    ...headers,
  });
  res.end(html);
}

async function readBody(req, limit = 64 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function page(title, body) {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body>
<h1>${esc(title)}</h1>
${body}
</body></html>
`;
}

// ---------------------------------------------------------------- provider

// Google-style prompt=select_account: a requestable prompt placed before login. When it is
// requested, the login page is shown even if the browser session already has an account.
const policy = interactionPolicy.base();
policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);

function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: CLIENTS,
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    scopes: SCOPES,
    claims: {
      // openid alone already releases email and name at /me (and in the id_token), so
      // tests see {sub, email, email_verified, name} whenever the token has `openid`.
      openid: ['sub', 'email', 'email_verified', 'name'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    },
    conformIdTokenClaims: false,
    clockTolerance: CLOCK_TOLERANCE,
    async findAccount(ctx, sub) {
      const acct = accounts.get(sub);
      if (!acct) return undefined;
      return {
        accountId: sub,
        async claims() {
          const [given, ...rest] = acct.name.split(' ');
          return {
            sub,
            email: acct.email,
            email_verified: true,
            name: acct.name,
            given_name: given,
            family_name: rest.join(' ') || undefined,
            preferred_username: acct.email,
          };
        },
      };
    },
    // Consent is remembered per (account, client) like Google does, not only per browser
    // session as oidc-provider does by default: a new browser session (cookie jar) of an
    // account that already granted the requested scopes skips the consent page.
    async loadExistingGrant(ctx) {
      const key = `${ctx.oidc.account.accountId} ${ctx.oidc.client.clientId}`;
      const ids = [
        ctx.oidc.result?.consent?.grantId,
        ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId),
        grantsByAccount.get(key),
      ];
      for (const id of ids) {
        if (!id) continue;
        const grant = await ctx.oidc.provider.Grant.find(id);
        if (grant && grant.accountId === ctx.oidc.account.accountId && grant.clientId === ctx.oidc.client.clientId) return grant;
      }
      return undefined;
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    issueRefreshToken: async () => true,
    rotateRefreshToken: true,
    expiresWithSession: async () => false,
    interactions: {
      policy,
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        // same as oidc-provider's default, minus its "you SHOULD change" notice
        allowedPolicy(ctx, client, token) {
          if (token.clientId !== client.clientId) {
            throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
          }
          return true;
        },
      },
      // any authenticated (confidential) client may introspect any token
      introspection: { enabled: true, allowedPolicy: () => true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: false },
    },
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    clientBasedCORS: () => false,
  });

  for (const ev of ['grant.error', 'authorization.error', 'introspection.error', 'revocation.error', 'userinfo.error', 'server_error']) {
    provider.on(ev, (ctx, err) => {
      console.error(`oidc-peer: ${ev}: ${err?.error || err?.name}: ${err?.error_description || err?.message}${err?.error_detail ? ` (${err.error_detail})` : ''}`);
    });
  }
  return provider;
}

// ---------------------------------------------------------------- interactions (login / consent UI)

async function interaction(provider, req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (e) {
    return sendHtml(res, 400, page('Interaction not found', `<p>${esc(e.error_description || e.message)}</p>
<p>The _interaction cookie for this interaction is missing or expired (path /interaction/${esc(uid)}).</p>`));
  }
  if (details.uid !== uid) {
    return sendHtml(res, 400, page('Interaction mismatch', '<p>The _interaction cookie belongs to another interaction.</p>'));
  }

  const prompt = details.prompt.name; // 'select_account' | 'login' | 'consent'
  const { params } = details;

  if (action === 'abort') {
    // The user pressed Cancel / Deny.
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }

  if (req.method === 'GET') {
    // Scripted clients can read the pending prompt from this header instead of the HTML.
    const hdr = { 'x-interaction-prompt': prompt };
    const scopes = String(params.scope || '').split(' ').filter(Boolean);
    const common = `<p>client: <code id="client_id">${esc(params.client_id)}</code></p>
<p>requested scopes:</p>
<ul id="scopes">${scopes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<p><a id="abort" href="/interaction/${esc(uid)}/abort">[ Cancel ]</a></p>`;
    if (prompt === 'login' || prompt === 'select_account') {
      return sendHtml(res, 200, page(prompt === 'login' ? 'Sign-in' : 'Choose an account', `<form id="login" method="post" action="/interaction/${esc(uid)}" autocomplete="off">
  <input type="hidden" name="prompt" value="login">
  <input required type="text" name="login" placeholder="email" value="${esc(params.login_hint || '')}">
  <input type="password" name="password" placeholder="any password">
  <button type="submit">Sign-in</button>
</form>
${common}`), hdr);
    }
    if (prompt === 'consent') {
      const missing = details.prompt.details.missingOIDCScope || [];
      const acct = accounts.get(details.session?.accountId);
      return sendHtml(res, 200, page('Authorize', `<p>signed in as <span id="account">${esc(acct?.email || details.session?.accountId || '')}</span></p>
<p>newly requested scopes:</p>
<ul id="missing_scopes">${missing.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<form id="consent" method="post" action="/interaction/${esc(uid)}">
  <input type="hidden" name="prompt" value="consent">
  <button type="submit">Continue</button>
</form>
${common}`), hdr);
    }
    return sendHtml(res, 501, page('Not implemented', `<p>prompt ${esc(prompt)}</p>`));
  }

  // POST /interaction/<uid>
  const form = new URLSearchParams((await readBody(req)).toString('utf8'));
  const submitted = form.get('prompt') || (form.has('login') ? 'login' : 'consent');

  if (submitted === 'login' || submitted === 'select_account') {
    if (prompt !== 'login' && prompt !== 'select_account') {
      return sendHtml(res, 400, page('Wrong form', `<p>this interaction expects prompt=${esc(prompt)}</p>`));
    }
    const email = (form.get('login') || '').trim();
    if (!email) {
      return sendHtml(res, 400, page('Sign-in', '<p>login must not be empty</p>'));
    }
    const accountId = rememberAccount(email);
    const current = details.session?.accountId;
    if (current && current !== accountId) {
      // Switching account in the same browser session. oidc-provider would answer the resume
      // with an auto-submitting logout form (JavaScript) and revoke the old account's grants
      // (unless offline_access). Do what Google does instead: the previous account's tokens
      // stay valid, the browser session simply switches to the new account.
      const old = details.session.uid && await provider.Session.findByUid(details.session.uid);
      if (old) await old.destroy();
      delete details.session.uid;
      await details.save(details.exp - Math.floor(Date.now() / 1000));
    }
    return provider.interactionFinished(req, res, {
      select_account: {},
      login: { accountId },
    }, { mergeWithLastSubmission: false });
  }

  if (submitted === 'consent') {
    if (prompt !== 'consent') {
      return sendHtml(res, 400, page('Wrong form', `<p>this interaction expects prompt=${esc(prompt)}</p>`));
    }
    const { grantId, session } = details;
    const pd = details.prompt.details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (pd.missingOIDCScope) grant.addOIDCScope(pd.missingOIDCScope.join(' '));
    if (pd.missingOIDCClaims) grant.addOIDCClaims(pd.missingOIDCClaims);
    if (pd.missingResourceScopes) {
      for (const [indicator, scope] of Object.entries(pd.missingResourceScopes)) {
        grant.addResourceScope(indicator, scope.join(' '));
      }
    }
    const savedId = await grant.save();
    grantsByAccount.set(`${grant.accountId} ${grant.clientId}`, savedId);
    return provider.interactionFinished(req, res, { consent: { grantId: savedId } }, {
      mergeWithLastSubmission: true,
    });
  }

  return sendHtml(res, 400, page('Bad form', `<p>unknown prompt=${esc(submitted)}</p>`));
}

// ---------------------------------------------------------------- client auth method enforcement

// Returns an error response body when a client registered with an explicit
// token_endpoint_auth_method authenticates the other way; undefined otherwise.
function strictAuthCheck(req, form) {
  let method;
  let clientId;
  const authz = req.headers.authorization;
  if (authz && /^basic /i.test(authz)) {
    method = 'client_secret_basic';
    const decoded = Buffer.from(authz.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    try {
      clientId = decodeURIComponent((i === -1 ? decoded : decoded.slice(0, i)).replace(/\+/g, '%20'));
    } catch {
      return undefined; // malformed: let oidc-provider answer
    }
  } else if (form.has('client_secret')) {
    method = 'client_secret_post';
    clientId = form.get('client_id');
  } else {
    return undefined;
  }
  const required = STRICT_AUTH.get(clientId);
  if (required && required !== method) {
    return {
      error: 'invalid_client',
      error_description: `client authentication failed (client ${clientId} is registered for ${required}, got ${method})`,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------- HTTP dispatch

let provider;
let providerCallback;

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  const path = url.pathname;

  // --- test-control endpoints
  if (path === '/__stats' && req.method === 'GET') return sendJson(res, 200, stats);
  if (path === '/__reset' && req.method === 'POST') {
    await readBody(req);
    stats = freshStats();
    tokenMode = 'ok';
    return sendJson(res, 200, { ok: true });
  }
  if (path === '/__control' && req.method === 'POST') {
    let body;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8') || '{}');
    } catch (e) {
      return sendJson(res, 400, { error: `invalid JSON: ${e.message}` });
    }
    if (!('token_endpoint' in body) || !validTokenMode(body.token_endpoint)) {
      return sendJson(res, 400, { error: 'expected {"token_endpoint": "ok" | "error500" | "invalid_grant" | {"delay_ms": N} | {"status": N, "error"?: "..."}}' });
    }
    tokenMode = body.token_endpoint;
    return sendJson(res, 200, { ok: true, token_endpoint: tokenMode });
  }

  // --- login / consent UI
  const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/abort)?$/.exec(path);
  if (m) return interaction(provider, req, res, m[1], m[2] ? 'abort' : undefined);

  // --- counting / fault injection in front of oidc-provider
  if (path === '/auth' && req.method === 'GET') {
    stats.authorizations += 1;
    stats.last_authorization = Object.fromEntries(url.searchParams);
  } else if (['/token', '/token/revocation', '/token/introspection'].includes(path) && req.method === 'POST') {
    const raw = await readBody(req);
    // oidc-provider reads an already-consumed body from req.body.
    req.body = raw;
    const form = new URLSearchParams(raw.toString('utf8'));
    const authError = () => {
      const e = strictAuthCheck(req, form);
      if (!e) return false;
      sendJson(res, 401, e, req.headers.authorization ? { 'www-authenticate': 'Basic realm="oidc-peer"' } : {});
      return true;
    };
    if (path === '/token/revocation') {
      stats.revocations += 1;
      return authError() || providerCallback(req, res);
    }
    if (path === '/token/introspection') {
      stats.introspections += 1;
      return authError() || providerCallback(req, res);
    }
    const grantType = form.get('grant_type') || '(none)';
    stats.token_requests[grantType] = (stats.token_requests[grantType] || 0) + 1;
    const mode = tokenMode;
    if (mode === 'error500') {
      return sendJson(res, 500, { error: 'server_error', error_description: 'forced by /__control' });
    }
    if (mode === 'invalid_grant') {
      return sendJson(res, 400, { error: 'invalid_grant', error_description: 'forced by /__control' });
    }
    if (mode && typeof mode === 'object' && 'status' in mode) {
      return sendJson(res, mode.status, { error: mode.error || 'server_error', error_description: 'forced by /__control' });
    }
    if (mode && typeof mode === 'object' && 'delay_ms' in mode) {
      await sleep(mode.delay_ms);
    }
    if (authError()) return undefined;
    if (mode === 'tamper_id_token') tamperIdToken(res);
  } else if (path === '/me') {
    stats.userinfo_requests += 1;
  }

  return providerCallback(req, res);
}

function onRequest(req, res) {
  if (!QUIET) {
    const t0 = Date.now();
    res.on('finish', () => {
      const loc = res.getHeader('location');
      console.error(`oidc-peer: ${req.method} ${req.url.split('?')[0]} -> ${res.statusCode}${loc ? ` ${String(loc).split('?')[0]}` : ''} (${Date.now() - t0} ms)`);
    });
  }
  handle(req, res).catch((err) => {
    console.error('oidc-peer: unhandled error', err);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: String(err?.message || err) });
    else res.destroy();
  });
}

const tls = Boolean(TLS_CERT && TLS_KEY);
const server = tls
  ? https.createServer({ cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY) }, onRequest)
  : http.createServer(onRequest);

server.on('error', (err) => fail(`listen failed: ${err.message}`));
server.listen(PORT, HOST, async () => {
  const { port } = server.address();
  const host = PUBLIC_HOST.includes(':') ? `[${PUBLIC_HOST}]` : PUBLIC_HOST;
  const base = `${tls ? 'https' : 'http'}://${host}:${port}`;
  try {
    provider = makeProvider(base);
  } catch (e) {
    fail(`invalid configuration: ${e.error_description || e.message}`);
  }
  // oidc-provider validates static client metadata lazily; surface mistakes now instead of
  // as a 400 page on the first /auth.
  for (const c of CLIENTS) {
    try {
      await provider.Client.find(c.client_id);
    } catch (e) {
      fail(`invalid client ${c.client_id}: ${e.error_description || e.message}`);
    }
  }
  providerCallback = provider.callback();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.error(`oidc-peer: issuer ${base}, ${CLIENTS.length} client(s), scopes ${SCOPES.join(' ')}, access token ttl ${ACCESS_TOKEN_TTL}s, ready in ${ms.toFixed(0)} ms`);
  process.stdout.write(`READY ${base}\n`);
});

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
