import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('runs the built server against the fake API and prints what an agent sees', async () => {
    const demo = fileURLToPath(new URL('../../dist/demo.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [demo], { env: { PATH: process.env.PATH } });
    expect(stdout).toMatch(/=== Server digitalocean-snapshots-mcp \d+\.\d+\.\d+, fake API at http:\/\/127\.0\.0\.1:\d+ with 250 snapshots/);
    expect(stdout).toMatch(/^100 of 250 snapshots, [\d,.]+ GB in these 100; more exist\.$/m);
    expect(stdout).toMatch(/^5 of \d+ volume snapshots/m);
    expect(stdout).toMatch(/Retry after 30 seconds/);
    expect(stdout).toMatch(/expected number to be <=200/);
  });
});
