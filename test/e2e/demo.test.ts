import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('runs the built server against the fake API and prints what an agent sees', async () => {
    const demo = fileURLToPath(new URL('../../dist/demo/main.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [demo], { env: { PATH: process.env.PATH } });
    expect(stdout).toMatch(/=== Server digitalocean-snapshots-mcp \d+\.\d+\.\d+, fake API at http:\/\/127\.0\.0\.1:\d+ with 250 snapshots/);
    expect(stdout).toMatch(/^50 of 250 snapshots, [\d,.]+ GB in these 50; more exist\.$/m);
    expect(stdout).toMatch(/^\d+ of \d+ matching volume snapshots \(filters older_than_days=90, region=fra1; sorted largest first\)/m);
    expect(stdout).toMatch(/^All 250 matching: [\d,.]+ GB, about \$[\d,.]+ a month at \$0\.06 per GB-month\.$/m);
    expect(stdout).toMatch(/^(Droplet|Volume) snapshot \S+ "[^"]+": [\d.]+ GB/m);
    expect(stdout).toMatch(/^No snapshot with id 1 \(HTTP 404/m);
    expect(stdout).toMatch(
      /^\d+ of 250 snapshots scanned could go, saving about \$[\d,.]+ a month \(rules: orphans=include, keep_last=2, protect_tags=keep\)/m,
    );
    expect(stdout).toMatch(/Retry after 30 seconds/);
    expect(stdout).toMatch(/expected number to be <=200/);
  });
});
