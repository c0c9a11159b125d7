// Self-test for server.mjs: drives whole authorizations the way a non-browser client does
// (fetch, manual redirects, a small cookie jar), over HTTP and then over HTTPS with a
// self-signed certificate. Exits 0 only if every check holds.
//
//   cd tests/peers/oidc && npm ci && node drive.mjs        (VERBOSE=1 shows server logs)

import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';

const HERE = dirname(fileURLToPath(import.meta.url));
const VERBOSE = process.env.VERBOSE === '1';
const REDIRECT = 'http://127.0.0.1:8765/oauth/callback';
const GMAIL = 'https://www.googleapis.com/auth/gmail.send';
const C1 = {
  client_id: 'patchbay-basic', client_secret: 's3cret-basic', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic',
};
const C3 = { client_id: 'patchbay-any', client_secret: 's3cret:any/+', redirect_uris: [REDIRECT] }; // no method: both accepted
const C2 = {
  client_id: 'patchbay-post',
  client_secret: 's3cret-post',
  redirect_uris: [REDIRECT, 'http://127.0.0.1:8765/other'],
  token_endpoint_auth_method: 'client_secret_post',
};

let checks = 0;
function ok(cond, msg) {
  assert.ok(cond, msg);
  checks += 1;
  if (VERBOSE) console.log(`  ok ${msg}`);
}

// ---------------------------------------------------------------- server process

async function startServer(env) {
  const t0 = performance.now();
  const childEnv = { ...process.env, ...env };
  delete childEnv.NODE_TLS_REJECT_UNAUTHORIZED;
  const child = spawn(process.execPath, [join(HERE, 'server.mjs')], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    logs += d;
    if (VERBOSE) process.stderr.write(d.replace(/^/gm, '    [server] '));
  });
  child.stdout.setEncoding('utf8');
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /^READY (\S+)\n/m.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', onData); // keep reading stdout for the whole life of the child
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before READY:\n${logs}`)));
    setTimeout(() => reject(new Error(`no READY within 10 s:\n${logs}`)), 10_000).unref();
  });
  const startupMs = performance.now() - t0;
  return {
    base,
    startupMs,
    logs: () => logs,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------- cookie jar + HTTP

class CookieJar {
  constructor() { this.cookies = new Map(); } // "name;path" -> {name, value, path}

  store(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        const key = k.toLowerCase();
        if (key === 'path') path = v;
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
      }
      const id = `${name};${path}`;
      if (expired) this.cookies.delete(id);
      else this.cookies.set(id, { name, value, path });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    const matches = [...this.cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length);
    return matches.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  names() { return [...this.cookies.values()].map((c) => `${c.name} (path ${c.path})`); }
}

async function request(jar, url, { method = 'GET', form, headers = {} } = {}) {
  const h = { ...headers };
  const cookie = jar?.header(url);
  if (cookie) h.cookie = cookie;
  let body;
  if (form) {
    body = new URLSearchParams(form).toString();
    h['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
  jar?.store(res);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
}

function basic(id, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

async function tokenCall(base, client, params, { auth = 'basic' } = {}) {
  const headers = {};
  const form = { ...params };
  if (auth === 'basic') headers.authorization = basic(client.client_id, client.client_secret);
  if (auth === 'post') Object.assign(form, { client_id: client.client_id, client_secret: client.client_secret });
  const t0 = performance.now();
  const r = await request(null, `${base}/token`, { method: 'POST', form, headers });
  let json;
  try { json = JSON.parse(r.text); } catch { json = { raw: r.text }; }
  return { status: r.status, json, ms: performance.now() - t0 };
}

async function postForm(base, path, client, form) {
  const r = await request(null, `${base}${path}`, {
    method: 'POST', form, headers: { authorization: basic(client.client_id, client.client_secret) },
  });
  return { status: r.status, json: r.text ? JSON.parse(r.text) : undefined };
}

async function userinfo(base, accessToken) {
  const r = await request(null, `${base}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: r.status, json: r.text ? JSON.parse(r.text) : undefined, www: r.headers.get('www-authenticate') };
}

const stats = async (base) => JSON.parse((await request(null, `${base}/__stats`)).text);
const control = async (base, token_endpoint) => {
  const res = await fetch(`${base}/__control`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token_endpoint }),
  });
  await res.text();
  return res.status;
};

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

// Drives one authorization like a non-browser client: GET /auth, then follow 303s;
// on a login page POST the login form, on a consent page POST the consent form (or hit
// the abort link). Returns the final redirect_uri URL and the list of pages seen.
async function authorize(base, jar, {
  client = C1, scope, state = randomBytes(8).toString('hex'), extra = {}, login = 'alice@example.com',
  deny = false, redirectUri = REDIRECT, noPkce = false, challengeMethod = 'S256',
} = {}) {
  const p = pkce();
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope,
    state,
    ...(noPkce ? {} : { code_challenge: p.challenge, code_challenge_method: challengeMethod }),
    ...extra,
  });
  let url = `${base}/auth?${q}`;
  const pages = [];
  for (let hops = 0; hops < 20; hops += 1) {
    const r = await request(jar, url);
    if (r.status === 303 || r.status === 302) {
      const next = new URL(r.location, url).href; // Locations from the server are relative paths
      if (next.startsWith(redirectUri)) {
        const u = new URL(next);
        return { callback: u, params: Object.fromEntries(u.searchParams), pages, verifier: p.verifier, challenge: p.challenge, state };
      }
      url = next;
      continue;
    }
    if (r.status !== 200) return { status: r.status, text: r.text, pages };
    const action = /<form id="(login|consent)" method="post" action="([^"]+)"/.exec(r.text);
    if (!action) throw new Error(`unexpected page at ${url}:\n${r.text}`);
    const [, kind, formPath] = action;
    const hdr = r.headers.get('x-interaction-prompt');
    ok(hdr === kind || (kind === 'login' && hdr === 'select_account'), `x-interaction-prompt header (${hdr}) matches the form (${kind})`);
    pages.push(kind);
    if (deny) {
      const abort = /<a id="abort" href="([^"]+)"/.exec(r.text)[1];
      url = new URL(abort, url).href;
      continue;
    }
    const form = kind === 'login'
      ? { prompt: 'login', login, password: 'whatever' }
      : { prompt: 'consent' };
    const post = await request(jar, new URL(formPath, url).href, { method: 'POST', form });
    if (post.status !== 303) throw new Error(`form POST ${kind} -> ${post.status}: ${post.text}`);
    url = new URL(post.location, url).href;
  }
  throw new Error('too many redirects');
}

// ---------------------------------------------------------------- the suite

async function suite(label, serverEnv) {
  console.log(`== ${label}`);
  const srv = await startServer({
    PORT: '0',
    CLIENTS: JSON.stringify([C1, C2, C3]),
    SCOPES: JSON.stringify([GMAIL, 'chat:write']),
    ...serverEnv,
  });
  const { base } = srv;
  console.log(`   server ${base} READY after ${srv.startupMs.toFixed(0)} ms (spawn to READY line)`);
  try {
    const scope = `openid email ${GMAIL}`;
    const googleExtra = { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' };

    // ---- discovery
    const disco = JSON.parse((await request(null, `${base}/.well-known/openid-configuration`)).text);
    ok(disco.issuer === base, 'discovery issuer = base url');
    ok(disco.code_challenge_methods_supported.join() === 'S256', 'only S256 PKCE advertised');
    ok(disco.scopes_supported.includes(GMAIL), 'extra scope advertised');
    ok(disco.revocation_endpoint === `${base}/token/revocation` && disco.introspection_endpoint === `${base}/token/introspection`, 'revocation + introspection endpoints');

    // ---- full flow as alice: login + consent, Google-style parameters
    const t0 = performance.now();
    const jarA = new CookieJar();
    const a = await authorize(base, jarA, { scope, extra: googleExtra });
    ok(a.pages.join() === 'login,consent', `first authorization shows login then consent (${a.pages})`);
    ok(a.params.code && a.params.state === a.state, 'code + state at redirect_uri');
    ok(a.params.iss === base, 'RFC 9207 iss parameter at redirect_uri');

    let s = await stats(base);
    ok(s.last_authorization.code_challenge === a.challenge, '__stats.last_authorization.code_challenge');
    ok(s.last_authorization.code_challenge_method === 'S256' && s.last_authorization.access_type === 'offline'
      && s.last_authorization.prompt === 'consent' && s.last_authorization.scope === scope, '__stats.last_authorization keeps all query params');

    // wrong verifier / secret / redirect_uri / auth method: refused, code not consumed
    let t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: a.params.code, redirect_uri: REDIRECT, code_verifier: pkce().verifier });
    ok(t.status === 400 && t.json.error === 'invalid_grant', 'wrong code_verifier -> invalid_grant');
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: a.params.code, redirect_uri: REDIRECT });
    ok(t.status === 400 && t.json.error === 'invalid_grant', 'missing code_verifier -> invalid_grant');
    t = await tokenCall(base, { ...C1, client_secret: 'wrong' }, { grant_type: 'authorization_code', code: a.params.code, redirect_uri: REDIRECT, code_verifier: a.verifier });
    ok(t.status === 401 && t.json.error === 'invalid_client', 'wrong client secret -> 401 invalid_client');
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: a.params.code, redirect_uri: REDIRECT, code_verifier: a.verifier }, { auth: 'post' });
    ok(t.status === 401 && t.json.error === 'invalid_client', `client_secret_post for a client_secret_basic client -> invalid_client (${t.status} ${JSON.stringify(t.json)})`);
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: a.params.code, redirect_uri: 'http://127.0.0.1:8765/other', code_verifier: a.verifier });
    ok(t.status === 400 && t.json.error === 'invalid_grant', 'redirect_uri mismatch -> invalid_grant');

    // the real exchange (client_secret_basic)
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: a.params.code, redirect_uri: REDIRECT, code_verifier: a.verifier });
    ok(t.status === 200, `code exchange 200 (${JSON.stringify(t.json)})`);
    const tok1 = t.json;
    ok(tok1.token_type === 'Bearer' && tok1.expires_in === 3600, 'token_type Bearer, expires_in 3600');
    ok(typeof tok1.refresh_token === 'string' && typeof tok1.id_token === 'string', 'refresh_token + id_token issued');
    ok(tok1.scope.split(' ').sort().join(' ') === ['openid', 'email', GMAIL].sort().join(' '), `token scope lists the grant (${tok1.scope})`);
    console.log(`   token response keys: ${Object.keys(tok1).join(', ')}; scope="${tok1.scope}"`);
    const flowMs = performance.now() - t0;

    const idt = JSON.parse(Buffer.from(tok1.id_token.split('.')[1], 'base64url').toString());
    ok(idt.email === 'alice@example.com' && idt.aud === C1.client_id && idt.iss === base, 'id_token carries email, aud, iss');

    let u = await userinfo(base, tok1.access_token);
    ok(u.status === 200 && u.json.email === 'alice@example.com' && u.json.name === 'Alice' && /^\d{21}$/.test(u.json.sub),
      `userinfo as alice (${JSON.stringify(u.json)})`);
    ok(u.json.sub === idt.sub, 'userinfo sub = id_token sub');
    const aliceSub = u.json.sub;

    let intro = await postForm(base, '/token/introspection', C1, { token: tok1.access_token });
    ok(intro.json.active === true && intro.json.scope === tok1.scope && intro.json.sub === aliceSub, 'introspection: active');

    // code is single-use (reuse also revokes the grant -> done last for this grant, see below)

    // ---- the README recipe, literally: no HTML parsing, no GET of the interaction pages
    {
      const jar = new CookieJar();
      const p = pkce();
      const q = new URLSearchParams({
        response_type: 'code', client_id: C1.client_id, redirect_uri: REDIRECT, scope: `openid email ${GMAIL}`,
        state: 'recipe', code_challenge: p.challenge, code_challenge_method: 'S256', access_type: 'offline', prompt: 'consent',
      });
      let r = await request(jar, `${base}/auth?${q}`);
      ok(r.status === 303 && /^\/interaction\/[A-Za-z0-9_-]+$/.test(r.location), `recipe 1: /auth -> 303 ${r.location}`);
      const interaction1 = new URL(r.location, base).href;
      r = await request(jar, interaction1, { method: 'POST', form: { prompt: 'login', login: 'erin@example.com' } });
      ok(r.status === 303 && r.location.startsWith(`${base}/auth/`), `recipe 2: POST login -> 303 ${r.location}`);
      r = await request(jar, r.location);
      ok(r.status === 303 && /^\/interaction\//.test(r.location), 'recipe 3: resume -> 303 to the consent interaction');
      const interaction2 = new URL(r.location, base).href;
      r = await request(jar, interaction2, { method: 'POST', form: { prompt: 'consent' } });
      ok(r.status === 303 && r.location.startsWith(`${base}/auth/`), 'recipe 4: POST consent -> 303 /auth/<uid>');
      r = await request(jar, r.location);
      const cb = new URL(r.location);
      ok(r.status === 303 && r.location.startsWith(REDIRECT) && cb.searchParams.get('code') && cb.searchParams.get('state') === 'recipe',
        'recipe 5: resume -> 303 redirect_uri?code=..&state=..&iss=..');
      const wrong = await request(jar, interaction2, { method: 'POST', form: { prompt: 'consent' } });
      ok(wrong.status === 400, 'an interaction cannot be submitted twice (400)');
    }

    // ---- refresh with rotation
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: tok1.refresh_token });
    ok(t.status === 200 && t.json.refresh_token && t.json.refresh_token !== tok1.refresh_token, 'refresh rotates the refresh token');
    ok(t.json.scope === tok1.scope && t.json.expires_in === 3600, 'refreshed token keeps scope');
    const tok2 = t.json;
    u = await userinfo(base, tok2.access_token);
    ok(u.status === 200 && u.json.email === 'alice@example.com', 'refreshed access token works at /me');
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: tok2.refresh_token });
    ok(t.status === 200, 'second rotation works');
    const tok3 = t.json;
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: tok1.refresh_token });
    ok(t.status === 400 && t.json.error === 'invalid_grant', `old refresh token -> invalid_grant (${t.json.error_description})`);
    // reuse detection revokes the whole grant:
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: tok3.refresh_token });
    ok(t.status === 400 && t.json.error === 'invalid_grant', 'after reuse of an old refresh token the newest one is dead too (grant revoked)');
    u = await userinfo(base, tok3.access_token);
    ok(u.status === 401, 'and its access token is dead too');

    // ---- prompt behaviour in the same cookie jar (browser session)
    // The reuse above revoked alice's grant, so consent is asked again once.
    let b = await authorize(base, jarA, { scope });
    ok(b.pages.join() === 'consent', `same session, grant revoked: consent only (${b.pages})`);
    b = await authorize(base, jarA, { scope });
    ok(b.pages.length === 0 && b.params.code, 'same session, scopes granted, no prompt: straight to code');
    b = await authorize(base, jarA, { scope, extra: { prompt: 'consent' } });
    ok(b.pages.join() === 'consent', 'prompt=consent: consent page only');
    b = await authorize(base, jarA, { scope, extra: { prompt: 'select_account' } });
    ok(b.pages.join() === 'login', 'prompt=select_account, same account: login page only');
    b = await authorize(base, jarA, { scope, extra: { prompt: 'select_account consent', access_type: 'offline' } });
    ok(b.pages.join() === 'login,consent', 'prompt="select_account consent": login then consent');
    b = await authorize(base, jarA, { scope, extra: { prompt: 'login' } });
    ok(b.pages.join() === 'login', 'prompt=login: login page only');
    b = await authorize(base, jarA, { scope: `${scope} ${'chat:write'}` });
    ok(b.pages.join() === 'consent', 'more scopes than granted: consent page');
    // code single-use: second exchange fails
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
    ok(t.status === 200 && t.json.scope.includes('chat:write'), 'exchange with added scope');
    const tokChat = t.json;
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
    ok(t.status === 400 && t.json.error === 'invalid_grant', 'authorization code is single-use');
    u = await userinfo(base, tokChat.access_token);
    ok(u.status === 401, 'code reuse revoked the tokens issued from that code\'s grant');

    // switch account in the same session with select_account
    b = await authorize(base, jarA, { scope, extra: { prompt: 'select_account' }, login: 'bob@example.com' });
    ok(b.pages.join() === 'login,consent', 'select_account as another user: login then consent (new account, new grant)');
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
    u = await userinfo(base, t.json.access_token);
    ok(u.json.email === 'bob@example.com' && u.json.name === 'Bob' && u.json.sub !== aliceSub, 'userinfo as bob differs from alice');
    const aliceBefore = await authorize(base, new CookieJar(), { scope }); // a fresh alice grant in another session
    void aliceBefore;
    b = await authorize(base, jarA, { scope, extra: { prompt: 'select_account' }, login: 'alice@example.com' });
    ok(b.pages.join() === 'login', 'switching back to alice in the same session: her grant is remembered, login only');
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
    const aliceAgain = t.json;
    b = await authorize(base, jarA, { scope, extra: { prompt: 'select_account' }, login: 'bob@example.com' });
    ok(b.pages.join() === 'login', 'and back to bob: login only');
    u = await userinfo(base, aliceAgain.access_token);
    ok(u.status === 200 && u.json.email === 'alice@example.com', "switching the session's account does not revoke the previous account's tokens");
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: aliceAgain.refresh_token });
    ok(t.status === 200, "and the previous account's refresh token still works");

    // ---- bob in a fresh session: revoke the refresh token
    const jarB = new CookieJar();
    b = await authorize(base, jarB, { scope: `openid ${GMAIL}`, login: 'bob@example.com', extra: googleExtra });
    ok(b.pages.join() === 'login,consent', 'fresh session: login + consent');
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
    const bob = t.json;
    ok(bob.scope === `openid ${GMAIL}` && bob.refresh_token, 'scope without email still gets a refresh token');
    u = await userinfo(base, bob.access_token);
    ok(u.json.email === 'bob@example.com', 'email released with openid alone');
    let rv = await postForm(base, '/token/revocation', C1, { token: bob.refresh_token, token_type_hint: 'refresh_token' });
    ok(rv.status === 200, 'revocation 200');
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: bob.refresh_token });
    ok(t.status === 400 && t.json.error === 'invalid_grant', 'revoked refresh token -> invalid_grant');
    intro = await postForm(base, '/token/introspection', C1, { token: bob.access_token });
    ok(intro.json.active === false, 'revoking the refresh token also revoked the access token (grant revoked)');
    b = await authorize(base, jarB, { scope: `openid ${GMAIL}` });
    ok(b.pages.join() === 'consent', 'after revoking a refresh token the grant is gone: consent asked again');
    rv = await postForm(base, '/token/revocation', C1, { token: 'not-a-token' });
    ok(rv.status === 200, 'revoking an unknown token: 200');

    // ---- client_secret_post client
    const jarC = new CookieJar();
    b = await authorize(base, jarC, { client: C2, scope: 'openid chat:write unknown:scope' });
    t = await tokenCall(base, C2, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier }, { auth: 'basic' });
    ok(t.status === 401 && t.json.error === 'invalid_client', 'client_secret_basic for a client_secret_post client -> invalid_client');
    t = await tokenCall(base, C2, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier }, { auth: 'post' });
    ok(t.status === 200 && t.json.scope === 'openid chat:write', `client_secret_post works; unknown scope dropped (${t.json.scope})`);
    ok(typeof t.json.refresh_token === 'string', 'refresh token issued without offline_access');

    // ---- client without an explicit method: basic and post both accepted
    b = await authorize(base, new CookieJar(), { client: C3, scope: 'openid' });
    t = await tokenCall(base, C3, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier }, { auth: 'basic' });
    ok(t.status === 200, 'client without token_endpoint_auth_method: client_secret_basic works (secret with : / +)');
    t = await tokenCall(base, C3, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, { auth: 'post' });
    ok(t.status === 200, 'client without token_endpoint_auth_method: client_secret_post works');
    rv = await postForm(base, '/token/revocation', C2, { token: t.json.refresh_token });
    ok(rv.status === 401 && rv.json.error === 'invalid_client', 'revocation with client_secret_basic by a client_secret_post client -> 401');
    rv = await postForm(base, '/token/revocation', C1, { token: t.json.refresh_token });
    ok(rv.status === 400 && rv.json.error === 'invalid_request', `revoking another client's token -> 400 invalid_request (${rv.json.error_description})`);

    // ---- offline_access (dropped unless prompt contains consent)
    b = await authorize(base, new CookieJar(), { scope: 'openid offline_access' });
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
    ok(t.json.scope === 'openid', `offline_access without prompt=consent is dropped (${t.json.scope})`);
    b = await authorize(base, new CookieJar(), { scope: 'openid offline_access', extra: { prompt: 'consent' } });
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
    ok(t.json.scope === 'openid offline_access', 'offline_access with prompt=consent is granted');

    // ---- user presses Cancel
    for (const [login, expected] of [['carol@example.com', 'login'], ['dave@example.com', 'consent']]) {
      const jar = new CookieJar();
      if (expected === 'consent') await authorize(base, jar, { scope: 'openid', login }); // session exists -> only consent for a new scope
      const d = await authorize(base, jar, { scope: `openid ${GMAIL}`, deny: true, state: 'st-deny', login });
      ok(d.pages.join() === expected && d.params.error === 'access_denied' && d.params.state === 'st-deny' && !d.params.code,
        `abort on the ${d.pages} page -> error=access_denied&state at redirect_uri (${d.params.error_description})`);
    }
    // new session, account that already consented: login only (consent remembered per account)
    b = await authorize(base, new CookieJar(), { scope: 'openid', login: 'dave@example.com' });
    ok(b.pages.join() === 'login', 'new session, scopes already granted by that account: login only');

    // ---- misc documented behaviour
    {
      const jar = new CookieJar();
      b = await authorize(base, jar, { scope: 'chat:write', login: 'frank.miller@example.com' });
      t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
      ok(t.status === 200 && t.json.scope === 'chat:write' && !t.json.id_token && t.json.refresh_token, 'no openid: no id_token, still a refresh token');
      u = await userinfo(base, t.json.access_token);
      ok(u.status === 403 && /insufficient_scope/.test(u.www), `/me without openid -> ${u.status} ${u.www}`);
      intro = await postForm(base, '/token/introspection', C1, { token: t.json.access_token });
      ok(intro.json.active === true && intro.json.token_type === 'Bearer', `introspection fields: ${Object.keys(intro.json).join(',')}`);
      const wide = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token, scope: `chat:write ${GMAIL}` });
      ok(wide.status === 400 && wide.json.error === 'invalid_scope', 'refresh cannot widen scope (invalid_scope)');
      // revoking an access token kills only that access token
      b = await authorize(base, jar, { scope: 'openid chat:write' });
      t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
      rv = await postForm(base, '/token/revocation', C1, { token: t.json.access_token });
      ok(rv.status === 200 && (await userinfo(base, t.json.access_token)).status === 401, 'revoked access token -> /me 401');
      const r2 = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token });
      ok(r2.status === 400 && r2.json.error === 'invalid_grant', 'revoking an access token also kills the refresh tokens of its grant');
      b = await authorize(base, jar, { scope: 'openid chat:write' });
      ok(b.pages.length === 0 && b.params.code, '... but keeps the grant itself: no consent asked again');
      t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
      ok((await userinfo(base, t.json.access_token)).json?.name === 'Frank Miller', 'name derived from the email local part');
      // prompt=none
      let n = await authorize(base, new CookieJar(), { scope: 'openid', extra: { prompt: 'none' } });
      ok(n.params.error === 'login_required', `prompt=none without session -> ${n.params.error}`);
      n = await authorize(base, jar, { scope: `openid ${GMAIL}`, extra: { prompt: 'none' } });
      ok(n.params.error === 'consent_required', `prompt=none with missing consent -> ${n.params.error}`);
      n = await authorize(base, jar, { scope: 'openid chat:write', extra: { prompt: 'none' } });
      ok(n.params.code && n.pages.length === 0, 'prompt=none with session and grant -> code');
      // abort via POST
      const d = await authorize(base, jar, { scope: `openid ${GMAIL}`, deny: true });
      ok(d.params.error === 'access_denied', 'abort (GET) on consent');
    }

    // ---- authorization request errors
    let e = await authorize(base, new CookieJar(), { scope, noPkce: true });
    ok(e.params?.error === 'invalid_request' && /PKCE/.test(e.params.error_description), `no PKCE -> invalid_request at redirect_uri (${e.params?.error_description})`);
    e = await authorize(base, new CookieJar(), { scope, challengeMethod: 'plain' });
    ok(e.params?.error === 'invalid_request', `code_challenge_method=plain -> invalid_request (${e.params?.error_description})`);
    e = await authorize(base, new CookieJar(), { scope, redirectUri: 'http://127.0.0.1:8765/evil' });
    ok(e.status === 400 && /invalid_redirect_uri/.test(e.text), 'unregistered redirect_uri -> 400 page, no redirect');
    e = await authorize(base, new CookieJar(), { scope, client: { client_id: 'nope' } });
    ok(e.status === 400 && /invalid_client/.test(e.text), 'unknown client_id -> 400 page');

    // ---- stats, control, reset
    await fetch(`${base}/__reset`, { method: 'POST' });
    s = await stats(base);
    ok(s.token_requests.authorization_code === 0 && s.token_requests.refresh_token === 0 && s.revocations === 0 && s.last_authorization === null, '__reset zeroes counters');

    b = await authorize(base, new CookieJar(), { scope, extra: googleExtra });
    t = await tokenCall(base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
    let rt = t.json.refresh_token;
    ok(await control(base, 'error500') === 200, '__control error500 accepted');
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: rt });
    ok(t.status === 500 && t.json.error === 'server_error', 'forced 500');
    await control(base, 'invalid_grant');
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: rt });
    ok(t.status === 400 && t.json.error === 'invalid_grant', 'forced invalid_grant');
    await control(base, { delay_ms: 400 });
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: rt });
    ok(t.status === 200 && t.ms >= 390, `delay_ms 400 -> took ${t.ms.toFixed(0)} ms, then real response`);
    rt = t.json.refresh_token;
    await control(base, { status: 503, error: 'temporarily_unavailable' });
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: rt });
    ok(t.status === 503 && t.json.error === 'temporarily_unavailable', 'forced custom status');
    ok(await control(base, 'bogus') === 400, '__control rejects unknown modes');
    await control(base, 'ok');
    t = await tokenCall(base, C1, { grant_type: 'refresh_token', refresh_token: rt });
    ok(t.status === 200, 'back to ok: the refresh token untouched by forced failures still works');
    await postForm(base, '/token/revocation', C1, { token: t.json.refresh_token });
    s = await stats(base);
    ok(s.token_requests.authorization_code === 1 && s.token_requests.refresh_token === 5, `__stats counts forced failures too (${JSON.stringify(s.token_requests)})`);
    ok(s.revocations === 1, '__stats.revocations');
    ok(s.last_authorization.code_challenge === b.challenge, '__stats.last_authorization updated');

    console.log(`   one whole flow (authorize + login + consent + token) ${flowMs.toFixed(0)} ms`);
    return { startupMs: srv.startupMs, flowMs };
  } catch (err) {
    console.error(`server log:\n${srv.logs()}`);
    throw err;
  } finally {
    await srv.stop();
  }
}

async function shortTtl() {
  console.log('== ACCESS_TOKEN_TTL=2');
  const srv = await startServer({ PORT: '0', CLIENTS: JSON.stringify([C1]), SCOPES: JSON.stringify([GMAIL]), ACCESS_TOKEN_TTL: '2' });
  try {
    const b = await authorize(srv.base, new CookieJar(), { scope: `openid ${GMAIL}` });
    const t = await tokenCall(srv.base, C1, { grant_type: 'authorization_code', code: b.params.code, redirect_uri: REDIRECT, code_verifier: b.verifier });
    ok(t.json.expires_in === 2, 'expires_in = ACCESS_TOKEN_TTL');
    ok((await userinfo(srv.base, t.json.access_token)).status === 200, 'fresh token works');
    await sleep(2200); // exp is whole seconds: a TTL=N token lives between N-1 and N seconds
    const u = await userinfo(srv.base, t.json.access_token);
    ok(u.status === 401 && /invalid_token/.test(u.www), `expired token -> 401 invalid_token (${u.status} ${u.www} ${JSON.stringify(u.json)})`);
    const r = await tokenCall(srv.base, C1, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token });
    ok(r.status === 200 && (await userinfo(srv.base, r.json.access_token)).status === 200, 'refresh after expiry works');
  } finally {
    await srv.stop();
  }
}

// ---------------------------------------------------------------- main

const tmp = mkdtempSync(join(tmpdir(), 'oidc-peer-'));
try {
  const http = await suite('HTTP', {});
  await shortTtl();

  const cert = join(tmp, 'cert.pem');
  const key = join(tmp, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // driver only; startServer removes it for the child
  process.emitWarning = () => {}; // silence the "TLS verification disabled" warning
  const https = await suite('HTTPS (self-signed)', { TLS_CERT: cert, TLS_KEY: key });

  console.log(`PASS: ${checks} checks. startup ${http.startupMs.toFixed(0)}/${https.startupMs.toFixed(0)} ms, flow ${http.flowMs.toFixed(0)}/${https.flowMs.toFixed(0)} ms (http/https)`);
} catch (err) {
  console.error(`FAIL after ${checks} checks: ${err.stack || err}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
