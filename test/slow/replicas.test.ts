import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSnapshots } from '../../src/fake-api/data.js';
import { ALL_SCOPES, roundTrips, startFakeApi, type FakeApi, type FakeApiOptions } from '../../src/fake-api/server.js';
import { listAnswer, type ListAnswer } from '../../src/snapshots/answers.js';
import { CONVERSATION } from '../conversation.js';
import { canaryToken, textOf } from '../helpers.js';
import { dump, startRedis, type RedisServer } from './redis.js';
import { serveHttp, type ServedHttp } from './served.js';

/**
 * Replicas behind a load balancer, sharing through a real redis-server (REDIS_URL): views, cursors
 * and single flights across them, faults of the store that cost no answer, tenants kept apart.
 * Requests go round-robin, each bringing its own token.
 */
let redis: RedisServer | undefined;
let api: FakeApi | undefined;
let replicas: ServedHttp[] = [];
afterEach(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  replicas = [];
  await api?.close();
  api = undefined;
  await redis?.close();
  redis = undefined;
});

const OPEN = { perHour: 1_000_000, perMinute: 1_000_000 };

async function setUp(
  options: FakeApiOptions & { tokens: Record<string, typeof ALL_SCOPES> },
  env: Record<string, string> = {},
): Promise<void> {
  redis = await startRedis();
  api = await startFakeApi({ rateLimit: OPEN, ...options });
  replicas = await Promise.all(
    Array.from({ length: 3 }, () => serveHttp({ DIGITALOCEAN_API_URL: api!.url, REDIS_URL: redis!.url, LOG_LEVEL: 'info', ...env })),
  );
  for (const replica of replicas) await storeIs(replica, 'ok');
}

async function health(replica: ServedHttp): Promise<{ status: string; store: string }> {
  return (await (await fetch(`${replica.url}/healthz`)).json()) as { status: string; store: string };
}

/** Waits (up to 15 s) until the replica says its store is in `state`. */
async function storeIs(replica: ServedHttp, state: string): Promise<void> {
  for (let tries = 0; tries < 150; tries++) {
    if ((await health(replica)).store === state) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the store never became ${state}: ${replica.stderr()}`);
}

async function call(replica: ServedHttp, token: string, args: Record<string, unknown>, name = 'list_snapshots'): Promise<CallToolResult> {
  const response = await fetch(`${replica.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });
  const text = await response.text();
  const json = JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? text) as { result: CallToolResult };
  expect(text).not.toContain(token);
  return json.result;
}

const answerOf = (result: CallToolResult): ListAnswer => {
  expect(result.isError, textOf(result)).toBeFalsy();
  return listAnswer.parse(result.structuredContent);
};

describe('three replicas sharing through Redis', () => {
  it('the six-question conversation, round-robin, costs at most 12 requests and 5 round trips; a cursor walk across them is exact', async () => {
    const token = canaryToken();
    await setUp({ count: 2000, latencyMs: 100, tokens: { [token]: ALL_SCOPES } });
    const answers: ListAnswer[] = [];
    for (const [i, args] of CONVERSATION.entries()) answers.push(answerOf(await call(replicas[i % 3]!, token, args)));
    answers.push(answerOf(await call(replicas[2]!, token, { ...CONVERSATION[4], cursor: answers[4]!.next_cursor })));
    expect(api!.requests.length).toBeLessThanOrEqual(12);
    expect(roundTrips(api!.requests)).toBeLessThanOrEqual(5);
    expect(answers[0]!.pages_fetched).toBe(10);
    // Answered by other replicas from the first one's scan.
    expect(answers[1]!.pages_fetched).toBe(0);
    expect(answers[3]!.pages_fetched).toBe(0);

    // Every snapshot of the account once, in order, 37 at a time, each page from the next replica.
    const seen: string[] = [];
    let cursor: string | undefined;
    let turn = 0;
    const before = api!.requests.length;
    do {
      const page = answerOf(await call(replicas[turn++ % 3]!, token, { sort: 'created_asc', limit: 37, ...(cursor && { cursor }) }));
      seen.push(...page.snapshots.map((snapshot) => snapshot.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const expected = [...api!.snapshots]
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
      .map((s) => s.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expected);
    expect(api!.requests.length).toBe(before);
  });

  it("a cleanup plan on one replica shares its scan and the Droplet and volume lists with the next replica's plan", async () => {
    const token = canaryToken();
    await setUp({ count: 1000, tokens: { [token]: ALL_SCOPES } });
    const first = await call(replicas[0]!, token, {}, 'plan_snapshot_cleanup');
    const second = await call(replicas[1]!, token, {}, 'plan_snapshot_cleanup');
    expect(first.isError, textOf(first)).toBeFalsy();
    expect(second.structuredContent).toMatchObject({ candidates: (first.structuredContent as { candidates: unknown }).candidates });
    const paths = api!.requests.map((request) => new URL(request.url, 'http://x').pathname);
    expect(paths.filter((path) => path === '/v2/snapshots')).toHaveLength(5);
    // Droplets and GPU Droplets: one request each, for both plans.
    expect(paths.filter((path) => path === '/v2/droplets')).toHaveLength(2);
    expect(paths.filter((path) => path === '/v2/volumes')).toHaveLength(1);
  });

  it('ten identical scans at once across the replicas read each page once', async () => {
    const token = canaryToken();
    await setUp({ count: 2000, latencyMs: 100, tokens: { [token]: ALL_SCOPES } });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => call(replicas[i % 3]!, token, { summary: true })));
    for (const answer of answers) expect(answerOf(answer).summary?.matched).toBe(2000);
    expect(api!.requests.map((request) => request.url).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `/v2/snapshots?page=${i + 1}&per_page=200`).sort(),
    );
  });

  it('Redis killed mid-run costs no answer (one log line per outage), and sharing resumes when it is back; corrupt values are ignored', async () => {
    // A token for the outage; B and C, which no replica has seen before, for sharing after it.
    const [token, b, c] = [canaryToken(), canaryToken(), canaryToken()];
    await setUp({ count: 1000, tokens: { [token]: ALL_SCOPES, [b]: ALL_SCOPES, [c]: ALL_SCOPES } });
    expect(answerOf(await call(replicas[0]!, token, { summary: true })).summary?.matched).toBe(1000);
    const logged = replicas.map((replica) => replica.stderr().length);
    await redis!.stop();
    for (let i = 0; i < 6; i++) {
      const answer = answerOf(await call(replicas[i % 3]!, token, { summary: true, fresh: i % 2 === 0 }));
      expect(answer.summary?.matched).toBe(1000);
    }
    for (const [i, replica] of replicas.entries()) {
      expect((await health(replica)).status).toBe('ok');
      expect(
        replica
          .stderr()
          .slice(logged[i])
          .match(/shared store unreachable/g)?.length ?? 0,
      ).toBeLessThanOrEqual(1);
    }
    await storeIs(replicas[1]!, 'unreachable');

    await redis!.start();
    for (const replica of replicas) await storeIs(replica, 'ok');
    // Shared again: one replica's scan answers another replica's call.
    answerOf(await call(replicas[0]!, b, { summary: true }));
    let before = api!.requests.length;
    expect(answerOf(await call(replicas[1]!, b, { name: '*', limit: 5 })).pages_fetched).toBe(0);
    expect(api!.requests.length).toBe(before);
    for (const replica of replicas) expect(replica.stderr()).toMatch(/shared store answers again/);

    // Spoilt values (a broken compressed payload; text where a view should be) are ignored: a
    // replica that finds them reads the account itself, and answers right.
    answerOf(await call(replicas[0]!, c, { summary: true }));
    // The view is shared after the answer; its scan's lock goes once it is.
    while ((await redis!.client.keys('dosm:1:scan:*')).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const keys = await redis!.client.keys('*');
    for (const [i, key] of keys.entries())
      await redis!.client.set(key, i % 2 ? 'not a view' : Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]), 'PX', 60_000);
    before = api!.requests.length;
    expect(answerOf(await call(replicas[1]!, c, { summary: true })).summary?.matched).toBe(1000);
    expect(api!.requests.length).toBe(before + 5);
  });

  it('Redis down at start: the replicas answer alone, say so once, and share from when it comes up', async () => {
    // `later` is a token no replica has seen before the store is up.
    const [token, later] = [canaryToken(), canaryToken()];
    redis = await startRedis();
    await redis.stop();
    api = await startFakeApi({ count: 600, rateLimit: OPEN, tokens: { [token]: ALL_SCOPES, [later]: ALL_SCOPES } });
    replicas = await Promise.all([0, 1].map(() => serveHttp({ DIGITALOCEAN_API_URL: api!.url, REDIS_URL: redis!.url, LOG_LEVEL: 'info' })));
    for (const replica of replicas) {
      expect(answerOf(await call(replica, token, { summary: true })).summary?.matched).toBe(600);
      await storeIs(replica, 'unreachable');
    }
    await redis.start();
    for (const replica of replicas) {
      await storeIs(replica, 'ok');
      expect(replica.stderr().match(/shared store unreachable/g)).toHaveLength(1);
    }
    answerOf(await call(replicas[0]!, later, { summary: true }));
    const before = api!.requests.length;
    expect(answerOf(await call(replicas[1]!, later, { name: '*', limit: 5 })).pages_fetched).toBe(0);
    expect(api!.requests.length).toBe(before);
  });

  it('a slow store (each command over 100 ms) costs no answer and holds no call up', async () => {
    const token = canaryToken();
    await setUp({ count: 1000, tokens: { [token]: ALL_SCOPES } });
    answerOf(await call(replicas[0]!, token, { summary: true }));
    // The store stops answering for 3 s, as a slow or overloaded one does.
    const sleeper = redis!.client.duplicate();
    sleeper.on('error', () => undefined);
    const asleep = sleeper.call('DEBUG', 'SLEEP', '3').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const replica of replicas.slice(1)) {
      const started = performance.now();
      expect(answerOf(await call(replica, token, { resource_type: 'volume', summary: true })).summary?.matched).toBe(
        api!.snapshots.filter((snapshot) => snapshot.resource_type === 'volume').length,
      );
      expect(performance.now() - started).toBeLessThan(2_500);
    }
    await asleep;
    sleeper.disconnect();
  });

  it('a replica that dies while it scans holds the others up for at most 3 s (its lock is no longer renewed)', async () => {
    const token = canaryToken();
    await setUp({ count: 2000, latencyMs: 1_000, tokens: { [token]: ALL_SCOPES } });
    const dying = call(replicas[0]!, token, { summary: true }).catch(() => undefined);
    while ((await redis!.client.keys('dosm:1:scan:*')).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    process.kill(replicas[0]!.pid, 'SIGKILL');
    await dying;
    const started = performance.now();
    const answer = answerOf(await call(replicas[1]!, token, { summary: true }));
    expect(answer.summary?.matched).toBe(2000);
    // The lock's 3 s, then a scan of three waves of requests at 1 s each.
    expect(performance.now() - started).toBeLessThan(3_000 + 3 * 1_000 + 2_000);
  });

  it("the token's quota is one across the replicas: at most DIGITALOCEAN_REQUESTS_PER_MINUTE in any 60 s whichever sends, and no 429", async () => {
    const token = canaryToken();
    await setUp(
      { count: 50, tokens: { [token]: ALL_SCOPES }, rateLimit: { perHour: 5000, perMinute: 10 } },
      { DIGITALOCEAN_REQUESTS_PER_MINUTE: '10' },
    );
    for (let i = 0; i < 10; i++) answerOf(await call(replicas[i % 3]!, token, { per_page: 5, limit: 5 }));
    for (const replica of replicas) {
      const refused = await call(replica, token, { per_page: 5, limit: 5 });
      expect(textOf(refused)).toMatch(/the token's request quota allows 0 more .*Nothing was sent\. Ask again after (5\d|60) seconds/);
    }
    expect(api!.requests.map((request) => request.status)).toEqual(Array(10).fill(200));
  });

  it('tenants stay apart under 1,000 concurrent mixed calls, and no token, raw or encoded, is ever written to Redis', async () => {
    const a = canaryToken();
    const b = canaryToken();
    const accountB = generateSnapshots(700, 99);
    await setUp({ count: 1200, tokens: { [a]: ALL_SCOPES, [b]: ALL_SCOPES }, accounts: { [b]: accountB } });
    const mixes = [{ summary: true }, { resource_type: 'volume', summary: true }, { name: '*a*', summary: true, limit: 3 }];
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < 1000) {
          const i = next++;
          const token = i % 2 ? b : a;
          const answer = answerOf(await call(replicas[i % 3]!, token, mixes[i % 3]!));
          const account = token === a ? api!.snapshots : accountB;
          const expected = i % 3 === 1 ? account.filter((snapshot) => snapshot.resource_type === 'volume').length : undefined;
          if (i % 3 === 0) expect(answer.summary?.matched).toBe(account.length);
          if (expected !== undefined) expect(answer.summary?.matched).toBe(expected);
        }
      }),
    );
    const written = await dump(redis!.client);
    expect(written.length).toBeGreaterThan(0);
    for (const token of [a, b]) {
      for (const form of [
        token,
        token.toUpperCase(),
        Buffer.from(token).toString('base64'),
        Buffer.from(`Bearer ${token}`).toString('base64'),
      ]) {
        expect(written).not.toContain(form);
      }
    }
  });
});
