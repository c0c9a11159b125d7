// A real MCP client (the official TypeScript SDK) against one app's patchbay MCP server.
// MCP_URL and MCP_KEY say where and with which app key; TASK is what to search for. It
// connects over Streamable HTTP, lists the tools, calls search_tools, and prints one JSON
// object on stdout: {"protocol", "server", "tools": [names], "search": <the tool's result>}.
// Any failure prints {"error": "..."} and exits 1, so the Rust test shows why.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const url = new URL(process.env.MCP_URL);
const transport = new StreamableHTTPClientTransport(url, {
  requestInit: { headers: { Authorization: `Bearer ${process.env.MCP_KEY}` } },
});
const client = new Client({ name: 'patchbay-test-peer', version: '1.0.0' });

try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  const search = await client.callTool({ name: 'search_tools', arguments: { task: process.env.TASK, limit: 3 } });
  const out = {
    protocol: transport.protocolVersion ?? null,
    server: client.getServerVersion(),
    tools: tools.map((t) => t.name),
    search,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  await client.close();
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e?.message ?? e) }) + '\n');
  process.exit(1);
}
