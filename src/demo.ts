import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FAKE_TOKEN, startFakeApi } from './fake-api/server.js';

// The offline demo: the real server, spawned over stdio exactly as an MCP client would, talking to
// the fake API on 127.0.0.1. Prints what an agent sees.
const api = await startFakeApi({ count: 250, seed: 7 });
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [fileURLToPath(new URL('./index.js', import.meta.url))],
  env: { DIGITALOCEAN_API_TOKEN: FAKE_TOKEN, DIGITALOCEAN_API_URL: api.url, LOG_LEVEL: "error" },
  stderr: 'inherit',
});
const client = new Client({ name: 'demo', version: '1.0.0' });

try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  heading(`Server ${client.getServerVersion()?.name} ${client.getServerVersion()?.version}, fake API at ${api.url} with ${api.snapshots.length} snapshots`);
  for (const tool of tools) {
    console.log(`tool ${tool.name}: ${tool.title}; inputs: ${Object.keys(tool.inputSchema.properties ?? {}).join(', ')}`);
  }

  await call('The first 100 snapshots (the defaults)', {}, 12);
  await call('Volume snapshots, five of them', { resource_type: 'volume', limit: 5 });
  const first = await call('45 snapshots, 20 per request: the answer says where to continue', { per_page: 20, limit: 45 }, 8);
  const [, page, perPage] = /page=(\d+), per_page=(\d+)/.exec(first) ?? [];
  await call('Continuing where that answer said', { page: Number(page), per_page: Number(perPage), limit: 3 });

  api.inject({ type: 'status', status: 429, body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' }, headers: { 'retry-after': '30', 'ratelimit-remaining': '0' } });
  await call('When DigitalOcean rate limits the token, the agent is told when to retry', { limit: 5 });
  await call('Arguments out of range are refused with the reason', { per_page: 500 });
} finally {
  await client.close();
  await api.close();
}

/** Calls list_snapshots, prints what the agent sees, and returns the text. */
async function call(title: string, args: Record<string, unknown>, maxLines = 20): Promise<string> {
  const result = (await client.callTool({ name: 'list_snapshots', arguments: args })) as CallToolResult;
  heading(`${title}\nlist_snapshots ${JSON.stringify(args)}`);
  const text = result.content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');
  const lines = text.split('\n');
  console.log(lines.slice(0, maxLines).join('\n'));
  if (lines.length > maxLines) console.log(`… ${lines.length - maxLines} more lines`);
  if (result.isError) console.log('(isError: true)');
  else {
    const json = JSON.stringify(result.structuredContent);
    console.log(`[text ${Buffer.byteLength(text)} bytes; structuredContent ${Buffer.byteLength(json)} bytes]`);
  }
  return text;
}

function heading(text: string): void {
  console.log(`\n=== ${text}`);
}
