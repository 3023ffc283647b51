import { spawn } from 'node:child_process';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { canaryToken } from '../helpers.js';
import { SERVER_ENTRY } from './process.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
});

describe('node dist/index.js --transport http', () => {
  it('listens on the port asked (0: any free one), serves /mcp and /healthz, and exits 0 on SIGTERM', async () => {
    const token = canaryToken();
    api = await startFakeApi({ count: 12, tokens: { [token]: ['snapshot:read', 'tag:read'] } });
    const child = spawn(process.execPath, [SERVER_ENTRY, '--transport', 'http', '--port', '0'], {
      env: { PATH: process.env.PATH, DIGITALOCEAN_API_URL: api.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    await vi.waitFor(() => expect(stderr).toMatch(/"msg":"ready over HTTP"/), { timeout: 10_000 });
    const url = /"url":"([^"]+)"/.exec(stderr)![1]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const health = await request(new URL('/healthz', url));
    expect(await health.body.json()).toMatchObject({ status: 'ok' });
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    const result = await client.callTool({ name: 'list_snapshots', arguments: { limit: 4 } });
    expect(result.structuredContent).toMatchObject({ count: 4, total: 12 });
    await client.close();

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toBe('');
    expect(stderr + JSON.stringify(result)).not.toContain(token);
  });

  it('--demo serves its made-up account whatever token a request sends, and says that it ignores tokens', async () => {
    const token = canaryToken();
    const { url, stop, stderr } = await serve(['--demo'], {});
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    const result = await client.callTool({ name: 'list_snapshots', arguments: { limit: 2 } });
    expect(result.structuredContent).toMatchObject({ count: 2, total: 250 });
    expect(JSON.stringify(result)).toContain('any token sent to it is ignored');
    await client.close();
    expect(stderr()).toMatch(/"token":"the made-up account for every request \(a token sent is ignored\)"/);
    expect(await stop()).toBe(0);
    expect(stderr() + JSON.stringify(result)).not.toContain(token);
  });

  it('warns at start when MCP_AUTH_TOKEN is set without a DigitalOcean token', async () => {
    const { stop, stderr } = await serve([], { MCP_AUTH_TOKEN: 'a'.repeat(40) });
    expect(stderr()).toMatch(/"level":"warn".*MCP_AUTH_TOKEN is set but no DigitalOcean token is/);
    expect(await stop()).toBe(0);
  });
});

/** The built server over HTTP on any free port, until stop() sends SIGTERM (its exit code). */
async function serve(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [SERVER_ENTRY, '--transport', 'http', '--port', '0', ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  await vi.waitFor(() => expect(stderr).toMatch(/"msg":"ready over HTTP"/), { timeout: 10_000 });
  return {
    url: /"url":"([^"]+)"/.exec(stderr)![1]!,
    stderr: () => stderr,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
