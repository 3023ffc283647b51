import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';

/**
 * Every command the README gives, run as written: the only stand-in is the clone URL (this
 * checkout). A command is run here, or named as what CI runs (.ci/run), or by the test that runs it;
 * a README command that none of these covers fails the first test.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, block]) => block!.trimEnd().split('\n'));
/** A line as the shell runs it: its comment left out. */
const command = (line: string) => line.replace(/\s+#.*$/, '').trim();
const lines = blocks.flat().map(command);
// The reader's own environment, as a pasted command has it.
const env = {
  ...process.env,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

const QUICK_START = blocks.find((block) => block[0]!.startsWith('git clone '))!;
const INSPECTOR = lines.find(
  (line) =>
    line.startsWith('npx -y -p node@22 -p @modelcontextprotocol/inspector@') && line.includes('--server digitalocean-snapshots-demo '),
)!;
const ACCOUNTS = lines.find((line) => line.includes('--server digitalocean-snapshots-demo-accounts '))!;
const HTTP = lines.find((line) => line.startsWith('node dist/index.js --transport http'))!;
/** Run by the test named. */
const ELSEWHERE: [RegExp, string][] = [
  [/^npm install --prefix .* && exec /, 'test/distribution.test.ts, the deployment recipe'],
  [/^npm run bundle$/, 'test/distribution.test.ts, the .mcpb'],
  [/^npm run update-definitions$/, 'test/tool-definitions.test.ts and test/readme.test.ts, which fail until what it writes is current'],
  // Ten minutes of measuring: it wrote BENCHMARKS.md, and its figures say so.
  [/^npm run bench$/, 'BENCHMARKS.md'],
];
/** Run by CI itself: a line of .ci/run starts with it (run NAME … is its reporting wrapper). */
const ciCommands = ci.split('\n').map((line) => line.replace(/^run [\w-]+ /, '').trim());
const inCi = (line: string) => line === 'bash .ci/run' || ciCommands.some((step) => step === line || step.startsWith(`${line} `));

describe("the README's commands, as written", () => {
  it('are each run here, by a named test, or by CI', () => {
    const covered = (line: string) =>
      QUICK_START.map(command).includes(line) ||
      line === INSPECTOR ||
      line === ACCOUNTS ||
      line === HTTP ||
      line === 'npm run fake-api' ||
      ELSEWHERE.some(([pattern]) => pattern.test(line)) ||
      inCi(line);
    expect(lines.filter((line) => !covered(line))).toEqual([]);
    for (const script of lines.flatMap((line) => /^npm run ([\w:-]+)/.exec(line)?.[1] ?? [])) {
      expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts, script).toHaveProperty(script);
    }
  });

  it('the quick start: clone, npm install, npm run demo', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'quick-start-'));
    const script = QUICK_START.map(command)
      // The stand-in: this checkout for the URL, cloned into the folder the URL names.
      .map((line) => line.replace(/^git clone \S+?\/([\w-]+)\.git$/, `git clone ${root} $1`))
      .join(' && ');
    const { stdout } = await run('sh', ['-c', script], { cwd: home, env, timeout: 280_000, maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).toMatch(/=== Server digitalocean-snapshots-mcp/);
    expect(stdout).toMatch(/^\d+ of 250 snapshots scanned could go/m);
  }, 300_000);

  it('the Inspector, on the demo entry of mcp.json', async () => {
    const { stdout } = await run('sh', ['-c', INSPECTOR], { cwd: root, env, timeout: 240_000 });
    const result = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { structuredContent: unknown };
    expect(result.structuredContent).toMatchObject({ count: 5, total: 250 });
  }, 300_000);

  it('the Inspector, on the two-account demo entry of mcp.json: the cost of each account in one call', async () => {
    const { stdout } = await run('sh', ['-c', ACCOUNTS], { cwd: root, env, timeout: 240_000 });
    const result = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      structuredContent: {
        accounts: Record<string, string>;
        complete: boolean;
        summary: { monthly_cost_usd: number; by_account: Record<string, { monthly_cost_usd: number }> };
      };
    };
    const { accounts, complete, summary } = result.structuredContent;
    expect(accounts).toEqual({ acme: 'ok', globex: 'ok' });
    expect(complete).toBe(true);
    expect(Object.keys(summary.by_account)).toEqual(['acme', 'globex']);
    const parts = Object.values(summary.by_account).reduce((total, part) => total + Math.round(part.monthly_cost_usd * 100), 0);
    expect(parts).toBe(Math.round(summary.monthly_cost_usd * 100));
  }, 300_000);

  it('the HTTP server and npm run fake-api start, answer, and stop on SIGTERM', async () => {
    for (const [line, ready, probe] of [
      [HTTP, /"msg":"ready over HTTP"/, 'http://127.0.0.1:8080/healthz'],
      ['npm run fake-api', /snapshots at (http:\S+)/, undefined],
    ] as const) {
      // exec: the signal reaches the command itself, not a shell around it.
      const child = spawn('sh', ['-c', `exec ${line}`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
      await vi.waitFor(() => expect(output).toMatch(ready), { timeout: 30_000, interval: 100 });
      const url = probe ?? `${ready.exec(output)![1]!}/v2/snapshots`;
      expect((await fetch(url, { headers: { authorization: 'Bearer dop_v1_fake' } })).status, line).toBeLessThan(500);
      child.kill('SIGTERM');
      expect([0, 'SIGTERM'], line).toContain(await exited);
    }
  }, 90_000);
});
