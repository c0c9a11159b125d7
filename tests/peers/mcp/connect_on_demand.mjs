// The official TypeScript SDK's client as an agent whose user can open links (it declares
// URL-mode elicitation). It asks to run ACTION (an action id) with INPUTS (JSON); when the
// server answers that a person must open a page first, it prints that elicitation as one
// JSON line ({"elicitation": {...}}) and waits for a line on stdin, the sign that the
// person is done. Then it retries, waits to hear that the tool list changed (the SDK lists
// the tools again by itself), and prints {"retry": <the tool's result>, "tools": [names]}.
// Any failure prints {"error": "..."} and exits 1.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UrlElicitationRequiredError } from '@modelcontextprotocol/sdk/types.js';
import { createInterface } from 'node:readline';

const say = (value) => process.stdout.write(JSON.stringify(value) + '\n');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

let toolsChanged;
const listed = new Promise((resolve) => {
  toolsChanged = resolve;
});
const transport = new StreamableHTTPClientTransport(new URL(process.env.MCP_URL), {
  requestInit: { headers: { Authorization: `Bearer ${process.env.MCP_KEY}` } },
});
const client = new Client(
  { name: 'patchbay-link-opener', version: '1.0.0' },
  {
    capabilities: { elicitation: { url: {} } },
    listChanged: { tools: { debounceMs: 0, onChanged: (error, tools) => (error ? null : toolsChanged(tools)) } },
  },
);
const call = () =>
  client.callTool({ name: 'execute', arguments: { action: process.env.ACTION, inputs: JSON.parse(process.env.INPUTS) } });

try {
  await client.connect(transport);
  try {
    await call();
    throw new Error('the first call should have needed a person');
  } catch (e) {
    if (!(e instanceof UrlElicitationRequiredError)) throw e;
    say({ elicitation: e.elicitations[0] });
  }
  await lines.next();
  const retry = await call();
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no tools/list_changed heard')), 10000));
  const tools = await Promise.race([listed, timeout]);
  say({ retry, tools: tools.map((t) => t.name) });
  await client.close();
  process.exit(0);
} catch (e) {
  say({ error: String(e?.message ?? e) });
  process.exit(1);
}
