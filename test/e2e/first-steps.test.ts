import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { canaryToken } from '../helpers.js';
import { SERVER_ENTRY, ServerProcess } from './process.js';

/** What a newcomer meets first, through the built server as a real process. */
const run = promisify(execFile);
const FAKE_API_MAIN = fileURLToPath(new URL('../../dist/fake-api/main.js', import.meta.url));
let server: ServerProcess | undefined;
let api: FakeApi | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  server?.child.kill('SIGKILL');
  await api?.close();
  blocker?.close();
  server = api = blocker = undefined;
});

/** A process's exit, stdout and stderr, whatever its status. */
async function outcome(args: string[], env: Record<string, string> = {}, entry = SERVER_ENTRY) {
  try {
    const { stdout, stderr } = await run(process.execPath, [entry, ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('node dist/index.js --demo', () => {
  it('answers from its own made-up account, with nothing else set or running, and says so in both halves', async () => {
    server = new ServerProcess({}, SERVER_ENTRY, ['--demo']);
    await server.initialize();
    const listed = (await server.request(1, 'tools/call', { name: 'list_snapshots', arguments: { summary: true, limit: 3 } })).result;
    expect(listed.isError).toBeFalsy();
    expect(listed.structuredContent.summary.matched).toBe(250);
    expect(listed.structuredContent.warnings[0]).toMatch(/^Demo data: a made-up account/);
    expect(listed.content[0].text.split('\n')).toContain(`Warning: ${listed.structuredContent.warnings[0]}`);
    const id = listed.structuredContent.snapshots[0].id;
    const one = (await server.request(2, 'tools/call', { name: 'get_snapshot', arguments: { id } })).result;
    expect(one.structuredContent.warnings).toEqual([listed.structuredContent.warnings[0]]);
    expect(one.content[0].text).toMatch(/\nWarning: Demo data/);
    expect(server.nonProtocolLines()).toEqual([]);
    // On stdio only warnings reach stderr by default: Claude Code shows every stderr line as an error.
    expect(server.stderr).toBe('');
  });
});

describe('node dist/index.js --demo --demo-accounts N', () => {
  it.each([2, 3])('serves %i made-up accounts, each its own, and every tool takes account', async (count) => {
    server = new ServerProcess({}, SERVER_ENTRY, ['--demo', '--demo-accounts', String(count)]);
    await server.initialize();
    const names = ['acme', 'globex', 'initech'].slice(0, count);
    const { tools } = (await server.request(1, 'tools/list')).result;
    for (const tool of tools) expect(tool.inputSchema.properties.account.enum).toEqual([...names, 'all']);
    const all = (await server.request(2, 'tools/call', { name: 'list_snapshots', arguments: { summary: true, limit: 1000 } })).result;
    expect(all.structuredContent.accounts).toEqual(Object.fromEntries(names.map((name) => [name, 'ok'])));
    expect(all.structuredContent.warnings[0]).toMatch(new RegExp(`^Demo data: ${count} made-up accounts`));
    const counts = Object.values(all.structuredContent.summary.by_account as Record<string, { count: number }>).map((part) => part.count);
    // Accounts of different sizes, and no id in two of them.
    expect(new Set(counts).size).toBe(count);
    const ids = all.structuredContent.snapshots.map((row: { id: string }) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.structuredContent.summary.matched).toBe(counts.reduce((total, part) => total + part, 0));
    expect(server.nonProtocolLines()).toEqual([]);
    server.child.kill();
  });
});

describe('the command line', () => {
  it('--help prints every option and variable; --version the version; both exit 0', async () => {
    const help = await outcome(['--help']);
    expect(help.code).toBe(0);
    for (const word of [
      '--demo',
      '--demo-accounts',
      'DIGITALOCEAN_API_TOKEN_<NAME>',
      '--transport',
      '--port',
      '--host',
      'DIGITALOCEAN_API_TOKEN',
      'DIGITALOCEAN_API_URL',
      'LOG_LEVEL',
      'MCP_AUTH_TOKEN',
      'SNAPSHOT_CACHE_SECONDS',
    ]) {
      expect(help.stdout).toContain(word);
    }
    const version = await outcome(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  it('an unknown option, a port in use and an address not of this machine are one line each, exit 2', async () => {
    const unknown = await outcome(['--bogus']);
    expect(unknown).toMatchObject({ code: 2, stderr: "digitalocean-snapshots-mcp: Unknown option '--bogus'; see --help\n" });

    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as AddressInfo).port);
    const busy = await outcome(['--transport', 'http', '--port', port]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toBe(
      `digitalocean-snapshots-mcp: cannot listen on 127.0.0.1:${port}: the port is already in use. Stop what uses it, or choose another with --port (or MCP_PORT)\n`,
    );
    const foreign = await outcome(['--transport', 'http', '--host', '192.0.2.1', '--port', '0']);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/cannot listen on 192\.0\.2\.1:0: 192\.0\.2\.1 is not an address of this machine/),
    ]);
  });

  it('an API URL written with /v2, as DigitalOcean writes it, works and says so in one line', async () => {
    const token = canaryToken();
    api = await startFakeApi({ count: 5, tokens: { [token]: ['snapshot:read'] } });
    server = new ServerProcess({ DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: `${api.url}/v2` });
    await server.initialize();
    const listed = (await server.request(1, 'tools/call', { name: 'list_snapshots', arguments: {} })).result;
    expect(listed.structuredContent.count).toBe(5);
    expect(server.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/DIGITALOCEAN_API_URL ends in \/v2, which every request adds itself: using http:\/\/127\.0\.0\.1:\d+"/),
    ]);
  });

  it('a token that is a placeholder is named at start, and the server still answers', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder as users paste it, not a template
    server = new ServerProcess({ DIGITALOCEAN_API_TOKEN: '${DIGITALOCEAN_API_TOKEN}' });
    await server.initialize();
    const listed = (await server.request(1, 'tools/call', { name: 'list_snapshots', arguments: {} })).result;
    expect(listed.isError).toBe(true);
    expect(listed.content[0].text).toMatch(/a placeholder that was never filled in/);
    expect(server.stderr).toMatch(
      /"level":"warn","msg":"The DigitalOcean token in DIGITALOCEAN_API_TOKEN is \\"\$\{DIGITALOCEAN_API_TOKEN\}\\", a placeholder/,
    );
  });
});

describe('the fake API by hand', () => {
  it('--help prints its options; a bad value is one line and the usage, exit 2', async () => {
    const help = await outcome(['--help'], {}, FAKE_API_MAIN);
    expect(help.code).toBe(0);
    for (const word of ['--port', '--count', '--latency', '--hostile']) expect(help.stdout).toContain(word);
    const bad = await outcome(['--count', 'many'], {}, FAKE_API_MAIN);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('fake-api: --count must be a whole number from 0 to 1000000, got "many"');
  });
});
