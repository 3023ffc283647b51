import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/server.js';
import { startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { clientFor, conversation, REVISIONS } from '../eras.js';
import { canaryToken } from '../helpers.js';
import { SERVER_ENTRY } from './process.js';

let api: FakeApi;
const token = canaryToken();
beforeAll(async () => {
  api = await startFakeApi({ count: 40, tokens: { [token]: ['snapshot:read', 'tag:read', 'droplet:read', 'block_storage:read'] } });
});
afterAll(async () => {
  await api?.close();
});

describe('the built server on stdio, every protocol revision', () => {
  it('a 2026-07-28 client and 2025-11-25, 2025-06-18 and 2025-03-26 clients get the same tools, answers and errors', async () => {
    const heard = [];
    for (const revision of REVISIONS) {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [SERVER_ENTRY],
        env: { PATH: process.env.PATH ?? '', DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: api.url },
        stderr: 'ignore',
      });
      const client = await clientFor(revision, transport);
      heard.push(await conversation(client));
      await client.close();
    }
    expect(JSON.stringify(heard)).not.toContain(token);
    for (const other of heard.slice(1)) expect(other).toEqual(heard[0]);
    // The built server lists the schemas its build computed: exactly the tool snapshots.
    const snapshots = TOOLS.map(
      ({ name }) => JSON.parse(readFileSync(new URL(`../__toolsnaps__/${name}.json`, import.meta.url), 'utf8')) as unknown,
    );
    expect(heard[0]![0]).toEqual(snapshots);
  });

  it('sends log notifications to a 2025-era client that set a level, and none a 2026-07-28 client did not ask for', async () => {
    const heard: Record<string, string[]> = {};
    for (const revision of ['2026-07-28', '2025-11-25'] as const) {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [SERVER_ENTRY],
        env: { PATH: process.env.PATH ?? '', DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: api.url, LOG_LEVEL: 'debug' },
        stderr: 'ignore',
      });
      const client = await clientFor(revision, transport);
      const logs: string[] = [];
      client.setNotificationHandler('notifications/message', (notification) => {
        logs.push((notification.params.data as { msg: string }).msg);
      });
      if (revision !== '2026-07-28') await client.setLoggingLevel('debug');
      // On stdio, what the server sends before the answer arrives before it.
      await client.callTool({ name: 'list_snapshots', arguments: { limit: 2 } });
      heard[revision] = logs;
      await client.close();
    }
    expect(heard['2025-11-25']).toEqual(['api request', 'list_snapshots answered']);
    expect(heard['2026-07-28']).toEqual([]);
  });
});
