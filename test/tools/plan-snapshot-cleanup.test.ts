import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/digitalocean/schemas.js';
import { crowdedVolumes, generateSnapshots } from '../../src/fake-api/data.js';
import { roundTrips } from '../../src/fake-api/server.js';
import { cleanupAnswer, type CleanupAnswer } from '../../src/snapshots/answers.js';
import { ANSWER_BUDGET_CHARS } from '../../src/tools/budget.js';
import { forbiddenIn } from '../answer-checks.js';
import { harness, textOf, type Harness } from '../helpers.js';
import { expectedPlan, type PlanRules } from '../reference.js';

const OPEN = { perHour: 1_000_000, perMinute: 1_000_000 };

function plan(result: Awaited<ReturnType<Harness['call']>>): CleanupAnswer {
  expect(result.isError, textOf(result)).toBeFalsy();
  const text = textOf(result);
  expect(text.length).toBeLessThanOrEqual(ANSWER_BUDGET_CHARS);
  expect(JSON.stringify(result.structuredContent).length).toBeLessThanOrEqual(ANSWER_BUDGET_CHARS);
  const answer = cleanupAnswer.parse(result.structuredContent);
  // Both halves: the same rows in the same order, the same savings and cursor.
  expect(forbiddenIn(text)).toEqual([]);
  const header = text.split('\n').indexOf('id\tname\ttype\tGB\t$/month\tcreated\treasons');
  expect(header >= 0).toBe(answer.count > 0);
  const rows = header >= 0 ? text.split('\n').slice(header + 1) : [];
  expect(rows.map((row) => row.split('\t')[0])).toEqual(answer.candidates.map((row) => row.id));
  expect(rows.map((row) => row.split('\t')[6])).toEqual(answer.candidates.map((row) => row.reasons.join(',')));
  if (answer.total_candidates > 0)
    expect(text).toContain(`saving about $${answer.monthly_savings_usd.toLocaleString('en-US', { minimumFractionDigits: 2 })} a month`);
  if (answer.next_cursor) expect(text).toContain(`cursor="${answer.next_cursor}"`);
  return answer;
}

describe('plan_snapshot_cleanup against an independent reference', () => {
  let h: Harness;
  let all: Snapshot[];
  let live: { droplets: Set<string>; volumes: Set<string> };
  beforeAll(async () => {
    h = await harness({ count: 600, seed: 12, rateLimit: OPEN });
    all = h.api.snapshots;
    const { droplets, gpuDroplets, volumes } = h.api.resources;
    live = {
      droplets: new Set([...droplets, ...gpuDroplets].map((droplet) => String(droplet.id))),
      volumes: new Set(volumes.map((volume) => volume.id)),
    };
  });
  afterAll(async () => {
    await h.close();
  });

  async function walk(args: Record<string, unknown>): Promise<{ rows: CleanupAnswer['candidates']; first: CleanupAnswer }> {
    const rows: CleanupAnswer['candidates'] = [];
    let first: CleanupAnswer | undefined;
    let cursor: string | undefined;
    do {
      const answer = plan(await h.call({ ...args, ...(cursor && { cursor }) }, 'plan_snapshot_cleanup'));
      first ??= answer;
      rows.push(...answer.candidates);
      cursor = answer.next_cursor;
    } while (cursor);
    return { rows, first: first! };
  }

  it('the account has what the rules need: orphans, GPU Droplets, shared sources, tags, tiny snapshots', () => {
    const sources = new Map<string, number>();
    for (const snapshot of all) sources.set(snapshot.resource_id, (sources.get(snapshot.resource_id) ?? 0) + 1);
    expect([...sources.values()].filter((count) => count >= 3).length).toBeGreaterThan(20);
    expect(
      all.filter((snapshot) => !live.droplets.has(snapshot.resource_id) && !live.volumes.has(snapshot.resource_id)).length,
    ).toBeGreaterThan(50);
    expect(h.api.resources.gpuDroplets.length).toBeGreaterThan(0);
    expect(all.some((snapshot) => snapshot.tags?.includes('keep'))).toBe(true);
    expect(all.some((snapshot) => snapshot.size_gigabytes * 0.06 < 0.01)).toBe(true);
  });

  it.each<[string, PlanRules & { limit?: number }]>([
    ['the default: orphans only', {}],
    ['keep_last 2', { keep_last: 2 }],
    ['older_than_days 365: an orphan younger than that is kept', { older_than_days: 365 }],
    ['keep_last 1 and older_than_days 90: both must let it go', { keep_last: 1, older_than_days: 90 }],
    ['orphans only, older than 30 days', { older_than_days: 30, orphans: 'only' }],
    ['beyond the newest 2 of sources that still exist', { keep_last: 2, orphans: 'exclude' }],
    ['keep_last 1, protecting "keep"', { keep_last: 1, protect_tags: ['keep'] }],
    ['volumes only, keep_last 0', { resource_type: 'volume', keep_last: 0 }],
    [
      'no orphans, older than 90 days, protecting two tags',
      { orphans: 'exclude', older_than_days: 90, protect_tags: ['KEEP', 'env:prod'] },
    ],
  ])('%s: exactly the expected candidates, reasons, totals and savings', async (_name, rules) => {
    const expected = expectedPlan(all, live, rules, Date.now());
    const { rows, first } = await walk({ ...rules, limit: 1000 });
    expect(rows.map(({ id, reasons, monthly_cost_usd }) => ({ id, reasons, monthly_cost_usd }))).toEqual(expected.candidates);
    expect(first).toMatchObject({
      total_candidates: expected.candidates.length,
      monthly_savings_usd: expected.monthly_savings_usd,
      scanned: expected.scanned,
      rules: { orphans: 'include', ...rules },
    });
    expect(expected.candidates.length).toBeGreaterThan(0);
  });

  it('the rules compose as the issue states them: each only keeps more', () => {
    const now = Date.now();
    const ids = (rules: PlanRules) => new Set(expectedPlan(all, live, rules, now).candidates.map((candidate) => candidate.id));
    const both = ids({ keep_last: 1, older_than_days: 90 });
    const old = ids({ older_than_days: 90 });
    const beyond = ids({ keep_last: 1 });
    // keep_last alone still proposes orphans among what it does not keep; both together are the intersection.
    expect([...both].every((id) => old.has(id) && beyond.has(id))).toBe(true);
    expect(both.size).toBeLessThan(Math.max(old.size, beyond.size));
    const orphansOld = ids({ older_than_days: 30, orphans: 'only' });
    expect([...orphansOld].every((id) => ids({}).has(id))).toBe(true);
    expect(ids({ orphans: 'exclude' }).size).toBe(0);
    // An orphan younger than a year: proposed by default, kept once older_than_days says 365.
    const young = all.find(
      (snapshot) =>
        !live.droplets.has(snapshot.resource_id) &&
        !live.volumes.has(snapshot.resource_id) &&
        Date.parse(snapshot.created_at) > now - 300 * 86_400_000,
    );
    expect(young && ids({}).has(young.id)).toBe(true);
    expect(ids({ older_than_days: 365 }).has(young!.id)).toBe(false);
  });

  it('limit 0: the totals and the breakdown without a row, and a cursor that lists from the first', async () => {
    const expected = expectedPlan(all, live, { keep_last: 2 }, Date.now());
    const answer = plan(await h.call({ keep_last: 2, limit: 0 }, 'plan_snapshot_cleanup'));
    expect(answer).toMatchObject({
      candidates: [],
      count: 0,
      total_candidates: expected.candidates.length,
      monthly_savings_usd: expected.monthly_savings_usd,
    });
    expect(Object.values(answer.breakdown.by_type).reduce((sum, bucket) => sum + bucket.count, 0)).toBe(all.length);
    const rows = plan(await h.call({ keep_last: 2, limit: 3, cursor: answer.next_cursor }, 'plan_snapshot_cleanup'));
    expect(rows.candidates.map((row) => row.id)).toEqual(expected.candidates.slice(0, 3).map((candidate) => candidate.id));
  });

  it('{orphans: "exclude"} alone proposes nothing and says that no rule was given', async () => {
    const answer = plan(await h.call({ orphans: 'exclude' }, 'plan_snapshot_cleanup'));
    expect(answer).toMatchObject({ total_candidates: 0, rules: { orphans: 'exclude' } });
    expect(answer.warnings).toContain('No rule was given: with orphans="exclude", give keep_last or older_than_days to say what could go.');
  });

  it('limit 5: five rows, totals over all, and the cursor walks the rest in order', async () => {
    const expected = expectedPlan(all, live, { keep_last: 2 }, Date.now());
    const first = plan(await h.call({ keep_last: 2, limit: 5 }, 'plan_snapshot_cleanup'));
    expect(first.count).toBe(5);
    expect(first).toMatchObject({ total_candidates: expected.candidates.length, monthly_savings_usd: expected.monthly_savings_usd });
    const { rows } = await walk({ keep_last: 2, limit: 37 });
    expect(rows.map((row) => row.id)).toEqual(expected.candidates.map((candidate) => candidate.id));
  });

  it('breaks down every snapshot scanned: types and ages partition it, regions count each region', async () => {
    const answer = plan(await h.call({}, 'plan_snapshot_cleanup'));
    const sum = (map: Record<string, { count: number }>) => Object.values(map).reduce((total, bucket) => total + bucket.count, 0);
    expect(sum(answer.breakdown.by_type!)).toBe(all.length);
    expect(sum(answer.breakdown.by_age!)).toBe(all.length);
    expect(Object.keys(answer.breakdown.by_age!)).toEqual(['under_30d', '30_90d', '90_365d', 'over_365d']);
    const cents = Object.values(answer.breakdown.by_type!).reduce((total, bucket) => total + bucket.monthly_cost_usd! * 100, 0);
    expect(Math.round(cents)).toBe(
      Math.round(all.reduce((total, snapshot) => total + Math.max(0.01, snapshot.size_gigabytes * 0.06), 0) * 100),
    );
    for (const bucket of Object.values(answer.breakdown.by_region!)) expect(bucket).not.toHaveProperty('monthly_cost_usd');
    expect(answer.orphan_check).toEqual({ droplet: 'checked', volume: 'checked' });
    expect(answer.warnings.some((warning) => warning.startsWith('Orphans may be deliberate archives'))).toBe(true);
  });

  it('reads only with GET, and refuses what makes no sense before any request', async () => {
    expect(h.api.requests.every((request) => request.method === 'GET')).toBe(true);
    const before = h.api.requests.length;
    for (const args of [{ keep_last: 101 }, { older_than_days: 0 }, { delete: true }, { protect_tags: 'keep' }, { cursor: 'garbage!!' }]) {
      const result = await h.call(args, 'plan_snapshot_cleanup');
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/Invalid arguments for tool plan_snapshot_cleanup/);
    }
    expect(h.api.requests.length).toBe(before);
  });
});

describe('plan_snapshot_cleanup without some scopes', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it.each([
    ['droplet:read', 'droplet', 'Droplet'],
    ['block_storage:read', 'volume', 'volume'],
  ] as const)('without %s: no %s snapshot is called orphaned, and a warning names the scope', async (missing, type, word) => {
    const scopes = (['snapshot:read', 'tag:read', 'droplet:read', 'block_storage:read'] as const).filter((scope) => scope !== missing);
    h = await harness({ count: 300, seed: 3, scopes: [...scopes] });
    const answer = plan(await h.call({}, 'plan_snapshot_cleanup'));
    expect(answer.orphan_check[type]).toBe('not_permitted');
    expect(answer.candidates.some((candidate) => candidate.resource_type === type)).toBe(false);
    expect(answer.candidates.length).toBeGreaterThan(0);
    expect(answer.warnings).toContain(
      `The token lacks the ${missing} scope, so DigitalOcean would not list the ${word}s: no ${word} snapshot is called orphaned. Add ${missing} to the token to check them.`,
    );
  });

  it('protect_tags without tag:read is an error naming the scope: a plan must never propose what the user asked to keep', async () => {
    h = await harness({ count: 50, scopes: ['snapshot:read', 'droplet:read', 'block_storage:read'] });
    const result = await h.call({ protect_tags: ['keep'] }, 'plan_snapshot_cleanup');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/so protect_tags cannot be answered truthfully: the token lacks the tag:read scope/);
  });

  it('another failure of a list fails the plan: never a plan built on a list that was not read', async () => {
    h = await harness({ count: 50 });
    h.api.inject({ type: 'status', status: 500 }, { pathPrefix: '/v2/volumes', times: 10 });
    const result = await h.call({}, 'plan_snapshot_cleanup');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/DigitalOcean's API failed on its side \(HTTP 500/);
  });

  it('warns when a volume holds 20 or more of its limit of 25 snapshots', async () => {
    const base = generateSnapshots(30, 8).filter((snapshot) => snapshot.resource_type === 'volume');
    const crowded = Array.from({ length: 22 }, (_, i) => ({
      ...base[0]!,
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resource_id: 'vol-crowded',
    }));
    h = await harness({ snapshots: crowded, resources: { droplets: [], gpuDroplets: [], volumes: [{ id: 'vol-crowded', name: 'v' }] } });
    const answer = plan(await h.call({ keep_last: 3 }, 'plan_snapshot_cleanup'));
    expect(answer.total_candidates).toBe(19);
    expect(answer.warnings).toContain('Volume vol-crowded holds 22 of its limit of 25 snapshots: new ones will fail at 25.');
  });

  it('any number of full volumes is one warning, and the answer keeps its rows within the budget', async () => {
    const [base] = generateSnapshots(1, 8);
    const volumes = Array.from({ length: 330 }, (_, v) => `vol-${String(v).padStart(4, '0')}`);
    // Volume v holds 20 + v % 6 snapshots; the fullest (25) are named first, by id.
    const { snapshots, resources } = crowdedVolumes(volumes, (v) => 20 + (v % 6), base!);
    h = await harness({
      snapshots,
      resources,
      rateLimit: OPEN,
    });
    const answer = plan(await h.call({ keep_last: 1 }, 'plan_snapshot_cleanup'));
    expect(answer.total_candidates).toBe(snapshots.length - volumes.length);
    expect(answer.count).toBeGreaterThan(0);
    const full = answer.warnings.filter((warning) => /of (their|its) limit of 25/.test(warning));
    expect(full).toEqual([
      '330 volumes hold 20 or more of their limit of 25 snapshots: new ones will fail at 25. The fullest: vol-0005 (25), vol-0011 (25), vol-0017 (25).',
    ]);
  });

  it("a conversation's plans read the account and its Droplet and volume lists once a minute", async () => {
    h = await harness({ count: 300, rateLimit: OPEN });
    await h.call({}, 'plan_snapshot_cleanup');
    const first = h.api.requests.length;
    await h.call({ keep_last: 1 }, 'plan_snapshot_cleanup');
    await h.call({ older_than_days: 30, resource_type: 'droplet' }, 'plan_snapshot_cleanup');
    expect(h.api.requests.length).toBe(first);
    expect(new Set(h.api.requests.map((request) => request.url.split('?')[0]))).toEqual(
      new Set(['/v2/snapshots', '/v2/droplets', '/v2/volumes']),
    );
  });

  it('a plan over 2,000 snapshots takes at most 3 round trips: the three lists are read at once', async () => {
    h = await harness({ count: 2000, latencyMs: 100, rateLimit: OPEN });
    plan(await h.call({ keep_last: 2 }, 'plan_snapshot_cleanup'));
    // The first page of each list at once, then the other nine pages of snapshots, eight at a time
    // (PAGE_CONCURRENCY): never a list after another.
    expect(roundTrips(h.api.requests)).toBeLessThanOrEqual(3);
    expect(new Set(h.api.requests.map((request) => request.url.split('?')[0]))).toEqual(
      new Set(['/v2/snapshots', '/v2/droplets', '/v2/volumes']),
    );
  });
});
