import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_TOKEN, startFakeApi, type FakeApi } from '../../src/fake-api/server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const inspector = path.join(root, 'node_modules/.bin/mcp-inspector-cli');
let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
});

/**
 * mcp.json as a user's client would load it, with the path made absolute and the token and API
 * URL filled in. Inspector CLI v1 reads "../package.json" from its working directory (a known
 * quirk), so it runs in a folder whose parent has one.
 */
function inspectorSetup(apiUrl: string): { cwd: string; config: string } {
  const config = JSON.parse(readFileSync(path.join(root, 'mcp.json'), 'utf8'));
  const entry = config.mcpServers['digitalocean-snapshots'];
  entry.args = entry.args.map((arg: string) => path.resolve(root, arg));
  entry.env = { ...entry.env, DIGITALOCEAN_API_TOKEN: FAKE_TOKEN, DIGITALOCEAN_API_URL: apiUrl };
  const base = mkdtempSync(path.join(os.tmpdir(), 'inspector-'));
  writeFileSync(path.join(base, 'package.json'), '{}');
  const cwd = path.join(base, 'run');
  mkdirSync(cwd);
  writeFileSync(path.join(cwd, 'mcp.json'), JSON.stringify(config));
  return { cwd, config: path.join(cwd, 'mcp.json') };
}

// biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire; each test checks the shape it reads
async function inspect(args: string[], setup: { cwd: string; config: string }): Promise<any> {
  const { stdout } = await promisify(execFile)(
    inspector,
    ['--cli', '--config', setup.config, '--server', 'digitalocean-snapshots', ...args],
    {
      cwd: setup.cwd,
      env: { PATH: process.env.PATH },
    },
  );
  return JSON.parse(stdout.slice(stdout.indexOf('{')));
}

describe('MCP Inspector CLI as the client, configured by mcp.json', () => {
  it('lists the tools and calls list_snapshots against the fake API', async () => {
    api = await startFakeApi({ count: 40 });
    const setup = inspectorSetup(api.url);
    const listed = await inspect(['--method', 'tools/list'], setup);
    expect(listed.tools.map((tool: { name: string }) => tool.name)).toEqual(['list_snapshots', 'get_snapshot', 'plan_snapshot_cleanup']);
    const called = await inspect(
      ['--method', 'tools/call', '--tool-name', 'list_snapshots', '--tool-arg', 'limit=3', '--tool-arg', 'resource_type=volume'],
      setup,
    );
    const volumes = api.snapshots.filter((snapshot) => snapshot.resource_type === 'volume');
    expect(called.structuredContent.snapshots).toEqual(volumes.slice(0, 3));
    expect(called.content[0].text).toMatch(new RegExp(`^3 of ${volumes.length} volume snapshots`));
  });
});
