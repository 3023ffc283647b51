import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { startHttpServer, type HttpServer } from '../../src/http/serve.js';
import { createLogger } from '../../src/logger.js';
import { clientFor, conversation, REVISIONS } from '../eras.js';
import { canaryToken } from '../helpers.js';

let api: FakeApi;
let http: HttpServer;
const token = canaryToken();
beforeAll(async () => {
  api = await startFakeApi({ count: 40, tokens: { [token]: ['snapshot:read', 'tag:read', 'droplet:read', 'block_storage:read'] } });
  // No kept views: every client's calls read the API alike, so their answers compare whole.
  const config = loadConfig({ DIGITALOCEAN_API_URL: api.url, SNAPSHOT_CACHE_SECONDS: '0' }, ['--transport', 'http', '--port', '0']);
  if (config.transport.kind !== 'http') throw new Error('expected http');
  http = await startHttpServer(config, config.transport, createLogger({ level: 'error', sinks: [] }), []);
});
afterAll(async () => {
  await http?.close();
  await api?.close();
});

describe('one endpoint, every protocol revision', () => {
  it('a 2026-07-28 client and 2025-11-25, 2025-06-18 and 2025-03-26 clients get the same tools, answers and errors', async () => {
    const heard = [];
    for (const revision of REVISIONS) {
      const transport = new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      });
      const client = await clientFor(revision, transport);
      heard.push(await conversation(client));
      await client.close();
    }
    expect(JSON.stringify(heard)).not.toContain(token);
    for (const other of heard.slice(1)) expect(other).toEqual(heard[0]);
  });
});
