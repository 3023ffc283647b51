// The SDK's own floor for a call (npm run bench): the smallest server this SDK version makes that
// does for a call what DigitalOcean's Go server does: one GET of a page of snapshots (undici, as the
// server uses), its JSON answered as one text block. No checks of the page, no second half, no
// size budget, no cursor. The bench bundles it as the build bundles the server.
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { request } from 'undici';
import * as z from 'zod';

const api = process.env.DIGITALOCEAN_API_URL;
const headers = { authorization: `Bearer ${process.env.DIGITALOCEAN_API_TOKEN}`, accept: 'application/json' };

serveStdio(() => {
  const server = new McpServer({ name: 'call-floor', version: '1.0.0' });
  server.registerTool(
    'list_snapshots',
    { description: 'Lists snapshots.', inputSchema: z.object({ per_page: z.int().min(1).max(200).default(20) }) },
    async ({ per_page }) => {
      const answer = await request(`${api}/v2/snapshots?page=1&per_page=${per_page}`, { headers });
      return { content: [{ type: 'text', text: await answer.body.text() }] };
    },
  );
  return server;
});
