// The SDK's own floor for the bench (npm run bench): the smallest server this SDK version makes,
// served the way the real one is (serveStdio), one tool with a zod input schema. The bench bundles
// it as the build bundles the server (esbuild, one minified CommonJS file) and times its start-up.
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

serveStdio(() => {
  const server = new McpServer({ name: 'minimal', version: '1.0.0' });
  server.registerTool(
    'list_snapshots',
    { description: 'Lists snapshots.', inputSchema: z.object({ limit: z.int().min(1).max(1000).default(50) }) },
    async ({ limit }) => ({ content: [{ type: 'text', text: `${limit} snapshots` }] }),
  );
  return server;
});
