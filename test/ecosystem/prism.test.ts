import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SERVER_ENTRY } from '../e2e/process.js';
import { freePort } from '../ports.js';

/**
 * The server against DigitalOcean's own API description, served by Prism (a mock that answers
 * from the spec's examples and refuses, 422, any request the spec does not allow): every request
 * the server makes must be one the spec allows, and the spec's own answers must read. The spec is
 * the upstream excerpt in test/fixtures/digitalocean-openapi (Apache 2.0, SOURCE.txt).
 */
const SPEC = fileURLToPath(new URL('../fixtures/digitalocean-openapi/specification/all-openapi.yaml', import.meta.url));
const PRISM = '@stoplight/prism-cli@5.14.2';

let prism: ReturnType<typeof spawn>;
let log = '';
let client: Client;
beforeAll(async () => {
  const port = await freePort();
  prism = spawn('npx', ['-y', '--package', PRISM, 'prism', 'mock', SPEC, '--host', '127.0.0.1', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npx starts Prism as a child of its own, and both must stop at the end.
    detached: true,
  });
  prism.stdout!.on('data', (chunk) => (log += chunk));
  prism.stderr!.on('data', (chunk) => (log += chunk));
  await vi.waitFor(() => expect(log).toMatch(/Prism is listening/), { timeout: 120_000, interval: 200 });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_ENTRY],
    env: {
      PATH: process.env.PATH ?? '',
      DIGITALOCEAN_API_TOKEN: 'dop_v1_prism_mock_token_0000',
      DIGITALOCEAN_API_URL: `http://127.0.0.1:${port}`,
    },
    stderr: 'ignore',
  });
  client = new Client({ name: 'prism', version: '1.0.0' });
  await client.connect(transport);
}, 150_000);
afterAll(async () => {
  await client?.close();
  if (prism?.pid !== undefined) process.kill(-prism.pid, 'SIGTERM');
});

describe("the server against DigitalOcean's API description (Prism)", () => {
  it.each([
    ['list_snapshots', { page: 2, per_page: 50 }],
    ['list_snapshots', { page: 1, per_page: 200, limit: 1000 }],
    // (Prism answers every page with the spec's one example, two snapshots: a page size under 2 would read as overfull.)
    ['list_snapshots', { per_page: 20 }],
    ['list_snapshots', { resource_type: 'volume' }],
    ['list_snapshots', { summary: true }],
    ['get_snapshot', { id: '6372321' }],
    ['plan_snapshot_cleanup', { keep_last: 1 }],
  ] as const)('%s %j: every request is one the spec allows, and its answers read', async (name, args) => {
    const before = log.length;
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const requests = log.slice(before);
    expect(requests).toMatch(/Request received/);
    expect(requests).not.toMatch(/Violation|422/);
  });

  it('the spec itself refuses what the tool refuses before any request: a page size over 200, page 0', async () => {
    for (const query of ['page=1&per_page=201', 'page=0&per_page=20']) {
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log)![1];
      const response = await fetch(`http://127.0.0.1:${port}/v2/snapshots?${query}`, { headers: { authorization: 'Bearer x' } });
      expect(response.status, query).toBe(422);
    }
    for (const args of [{ per_page: 201 }, { page: 0 }]) {
      const result = await client.callTool({ name: 'list_snapshots', arguments: args });
      expect(result.isError).toBe(true);
    }
  });
});
