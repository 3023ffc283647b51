import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { accountIdBase, generateSnapshots } from '../../src/fake-api/data.js';
import { ALL_SCOPES, startFakeApi, type FakeApi, type RecordedRequest } from '../../src/fake-api/server.js';
import { createServer } from '../../src/server.js';
import { listAnswerAcross } from '../../src/snapshots/answers.js';
import { canaryToken, FAST_RETRIES, textOf } from '../helpers.js';

/** One call over several accounts, in process: what it asks of DigitalOcean at once. */

let api: FakeApi | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  await api?.close();
});

/** The most requests the fake was answering at one moment. */
function mostAtOnce(requests: RecordedRequest[]): number {
  const edges = requests.flatMap((request) => [
    { at: request.arrivedAt, step: 1 },
    { at: request.arrivedAt + request.ms, step: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const edge of edges) {
    now += edge.step;
    most = Math.max(most, now);
  }
  return most;
}

async function serve(accounts: number, env: Record<string, string> = {}) {
  const tokens = Array.from({ length: accounts }, () => canaryToken());
  api = await startFakeApi({
    latencyMs: 15,
    rateLimit: { perHour: 1_000_000, perMinute: 1_000_000 },
    tokens: Object.fromEntries(tokens.map((token) => [token, ALL_SCOPES])),
    accounts: Object.fromEntries(tokens.map((token, i) => [token, { snapshots: generateSnapshots(500, 20 + i, accountIdBase(i)) }])),
  });
  const config = loadConfig({
    DIGITALOCEAN_API_URL: api.url,
    DIGITALOCEAN_REQUESTS_PER_MINUTE: '0',
    ...Object.fromEntries(tokens.map((token, i) => [`DIGITALOCEAN_API_TOKEN_A${i}`, token])),
    ...env,
  });
  const server = createServer({ config, retry: FAST_RETRIES, logSinks: [] });
  client = new Client({ name: 'accounts', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return async (name: string, args: Record<string, unknown>) => (await client!.callTool({ name, arguments: args })) as CallToolResult;
}

describe('a call over several accounts', () => {
  it('has at most PAGE_CONCURRENCY requests in flight, however many accounts it reads', async () => {
    const call = await serve(4, { PAGE_CONCURRENCY: '3' });
    const result = await call('plan_snapshot_cleanup', { keep_last: 1, limit: 0 });
    expect(result.isError, textOf(result)).toBeFalsy();
    // Four accounts of three snapshot pages each, and their Droplet and volume lists: 24 requests.
    expect(api!.requests.length).toBe(4 * (3 + 3));
    expect(new Set(api!.requests.map((request) => request.token)).size).toBe(4);
    expect(mostAtOnce(api!.requests)).toBeLessThanOrEqual(3);
  });

  it('the prompt asks for every account by default, or the one named', async () => {
    await serve(2);
    const all = await client!.getPrompt({ name: 'review_snapshot_costs', arguments: {} });
    const text = (all.messages[0]!.content as { text: string }).text;
    expect(text).toContain('in every account (a0, a1)');
    expect(text).toContain('keep_last=1, account="all"');
    expect(text).toContain('the breakdown by account');
    const one = await client!.getPrompt({ name: 'review_snapshot_costs', arguments: { account: 'a1' } });
    expect((one.messages[0]!.content as { text: string }).text).toContain('account="a1"');
    const completed = await client!.complete({
      ref: { type: 'ref/prompt', name: 'review_snapshot_costs' },
      argument: { name: 'account', value: 'a' },
    });
    expect(completed.completion.values).toEqual(['a0', 'a1', 'all']);
  });

  it('walks every account in one order with the cursor, also without kept views (each page of the walk read again)', async () => {
    const call = await serve(2, { SNAPSHOT_CACHE_SECONDS: '0' });
    const all = [0, 1].flatMap((i) => generateSnapshots(500, 20 + i, accountIdBase(i)));
    const expected = [...all].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at)).map((snapshot) => snapshot.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const result = await call('list_snapshots', { sort: 'created_desc', limit: 300, ...(cursor && { cursor }) });
      const answer = listAnswerAcross.parse(result.structuredContent);
      seen.push(...answer.snapshots.map((row) => row.id));
      cursor = answer.next_cursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it("ends at the call's deadline as one error when every account is slow, not as accounts that failed", async () => {
    const call = await serve(2, { CALL_DEADLINE_SECONDS: '1' });
    api!.setLatency(2_000);
    const result = await call('list_snapshots', { summary: true });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/did not finish within its 1 s deadline/);
    expect(listAnswerAcross.safeParse(result.structuredContent).success).toBe(false);
  });
});
