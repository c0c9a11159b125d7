// The official TypeScript SDK's client signing in to an app's MCP server with OAuth, as an
// agent's app does: the server's 401 leads it to the metadata; it registers itself, and
// sends the person to the authorization page. This script prints that page's address as
// one JSON line ({"authorize": url}) and waits for the code on stdin (the test plays the
// person). Then it finishes signing in, connects again, lists the tools and prints
// {"tools": [names], "token_type"}. Any failure prints {"error": "..."} and exits 1.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { createInterface } from 'node:readline';

const say = (value) => process.stdout.write(JSON.stringify(value) + '\n');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const redirect = 'http://127.0.0.1:9/callback';
const url = new URL(process.env.MCP_URL);

// Everything a client keeps between the steps, in memory.
const kept = {};
const provider = {
  get redirectUrl() {
    return redirect;
  },
  get clientMetadata() {
    return {
      client_name: 'Node test agent',
      redirect_uris: [redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  },
  clientInformation: () => kept.client,
  saveClientInformation: (client) => {
    kept.client = client;
  },
  tokens: () => kept.tokens,
  saveTokens: (tokens) => {
    kept.tokens = tokens;
  },
  redirectToAuthorization: (authorizationUrl) => say({ authorize: authorizationUrl.href }),
  saveCodeVerifier: (verifier) => {
    kept.verifier = verifier;
  },
  codeVerifier: () => kept.verifier,
};

const open = () => new StreamableHTTPClientTransport(url, { authProvider: provider });
try {
  const first = open();
  try {
    await new Client({ name: 'node-oauth-agent', version: '1.0.0' }).connect(first);
    throw new Error('the server let the client in without signing in');
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
  }
  const code = (await lines.next()).value.trim();
  await first.finishAuth(code);
  const client = new Client({ name: 'node-oauth-agent', version: '1.0.0' });
  await client.connect(open());
  const { tools } = await client.listTools();
  say({ tools: tools.map((t) => t.name), token_type: kept.tokens?.token_type ?? null });
  await client.close();
  process.exit(0);
} catch (e) {
  say({ error: String(e?.message ?? e) });
  process.exit(1);
}
