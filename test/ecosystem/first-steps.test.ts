import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** The README's commands as a newcomer pastes them, with the Node versions they name. */
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';

/** The README's Inspector command against mcp.json's demo entry, on Node 22: its JSON answer. */
async function inspectDemo(...args: string[]) {
  const command = [
    '-y',
    '-p',
    'node@22',
    '-p',
    INSPECTOR,
    'inspector',
    '--cli',
    '--config',
    'mcp.json',
    '--server',
    'digitalocean-snapshots-demo',
  ];
  const { stdout } = await run('npx', [...command, ...args], { cwd: root, timeout: 240_000 });
  // biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire; each test checks the shape it reads
  return JSON.parse(stdout.slice(stdout.indexOf('{'))) as any;
}

describe('first steps from the README', () => {
  it('the Inspector finds no portability problem in the tool schemas (--strict)', async () => {
    const result = await inspectDemo('--method', 'tools/list', '--strict');
    expect(result.tools.map((tool: { name: string }) => tool.name)).toEqual(['list_snapshots', 'get_snapshot', 'plan_snapshot_cleanup']);
  }, 300_000);

  it('on a Node older than engines, one line names the Node it needs, and the exit is not 0', async () => {
    const failed = await run('npx', ['-y', '-p', 'node@18', 'node', 'dist/index.js'], { cwd: root, timeout: 240_000 }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(
      failed?.stderr
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('npm warn')),
    ).toEqual([expect.stringMatching(/^digitalocean-snapshots-mcp needs Node\.js 20\.19 or later; this is Node\.js v18\.\d+\.\d+\./)]);
  }, 300_000);
});
