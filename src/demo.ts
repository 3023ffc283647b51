import { fileURLToPath } from 'node:url';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { type CallToolResult, Client } from '@modelcontextprotocol/client';
import { FAKE_TOKEN, startFakeApi } from './fake-api/server.js';

// The offline demo: the real server, spawned over stdio exactly as an MCP client would, talking to
// the fake API on 127.0.0.1. Prints what an agent sees. Built to dist/demo/main.js, beside the server.
const api = await startFakeApi({ count: 250, seed: 7 });
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [fileURLToPath(new URL('../index.js', import.meta.url))],
  env: { DIGITALOCEAN_API_TOKEN: FAKE_TOKEN, DIGITALOCEAN_API_URL: api.url, LOG_LEVEL: 'error' },
  stderr: 'inherit',
});
const client = new Client({ name: 'demo', version: '1.0.0' });

try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  heading(
    `Server ${client.getServerVersion()?.name} ${client.getServerVersion()?.version}, fake API at ${api.url} with ${api.snapshots.length} snapshots`,
  );
  for (const tool of tools) {
    console.log(`tool ${tool.name}: ${tool.title}; inputs: ${Object.keys(tool.inputSchema.properties ?? {}).join(', ')}`);
  }

  await call('The first 50 snapshots (the defaults): one request, API order', {}, 10);
  await call('A whole question in one call: volume snapshots in fra1 older than 90 days, largest first, with their cost', {
    resource_type: 'volume',
    region: 'fra1',
    older_than_days: 90,
    sort: 'size_desc',
    limit: 5,
  });
  const first = await call('The whole account summarised, newest first, 3 at a time', { summary: true, sort: 'created_desc', limit: 3 });
  const cursor = /cursor="([^"]+)"/.exec(first)?.[1];
  await call('The next 3, exactly after those, with the cursor the answer gave', { summary: true, sort: 'created_desc', limit: 3, cursor });
  const id = /^(\d+|[0-9a-f-]{36})\t/m.exec(first)?.[1];
  await call('One snapshot by id', { id }, 20, 'get_snapshot');
  await call(
    'What could go, and what it saves: all but the newest 2 of each source (orphans marked), keeping "keep"',
    { keep_last: 2, protect_tags: ['keep'], limit: 5 },
    20,
    'plan_snapshot_cleanup',
  );
  await call('An id that does not exist', { id: '1' }, 20, 'get_snapshot');

  api.inject({
    type: 'status',
    status: 429,
    body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' },
    headers: { 'retry-after': '30', 'ratelimit-remaining': '0' },
  });
  await call('When DigitalOcean rate limits the token, the agent is told when to retry', { limit: 5 });
  await call('Arguments out of range are refused with the reason', { per_page: 500 });
} finally {
  await client.close();
  await api.close();
}

/** Calls a tool, prints what the agent sees, and returns the text. */
async function call(title: string, args: Record<string, unknown>, maxLines = 20, tool = 'list_snapshots'): Promise<string> {
  const result = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
  heading(`${title}\n${tool} ${JSON.stringify(args)}`);
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
