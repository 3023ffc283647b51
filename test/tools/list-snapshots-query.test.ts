import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/digitalocean/schemas.js';
import type { ListAnswer } from '../../src/snapshots/answers.js';
import { harness, listed, textOf, type Harness } from '../helpers.js';
import { expectedSummary, select, type Selection } from '../reference.js';

let h: Harness;
let all: Snapshot[];
const OPEN = { perHour: 1_000_000, perMinute: 1_000_000 };

beforeAll(async () => {
  h = await harness({ count: 3000, seed: 11, rateLimit: OPEN });
  all = h.api.snapshots;
});
afterAll(async () => {
  await h.close();
});

async function list(args: Record<string, unknown>): Promise<ListAnswer> {
  return listed(await h.call(args));
}

/** Follows next_cursor to the end and returns everything, checking each step's bookkeeping. */
async function walk(args: Record<string, unknown>): Promise<{ snapshots: Snapshot[]; calls: number }> {
  const snapshots: Snapshot[] = [];
  let cursor: string | undefined;
  let calls = 0;
  do {
    const page = await list({ ...args, ...(cursor && { cursor }) });
    calls += 1;
    expect(page.count).toBe(page.snapshots.length);
    expect(page.truncated).toBe(page.next_cursor !== undefined);
    snapshots.push(...page.snapshots);
    cursor = page.next_cursor;
    expect(calls).toBeLessThan(500);
  } while (cursor);
  return { snapshots, calls };
}

const ids = (snapshots: Snapshot[]) => snapshots.map((snapshot) => snapshot.id);

function busiestSource(): string {
  const counts = new Map<string, number>();
  for (const snapshot of all) counts.set(snapshot.resource_id, (counts.get(snapshot.resource_id) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

const filters: [string, Selection][] = [
  ['name substring', { name: 'DATA' }],
  ['name wildcard *', { name: 'web-1*' }],
  ['name wildcard ?', { name: 'db-0?-*' }],
  ['region', { region: 'fra1' }],
  ['tag', { tag: 'env:prod' }],
  ['resource_id: every snapshot of one source', { resource_id: 'SOURCE' }],
  ['created_after (date)', { created_after: '2025-06-01' }],
  ['created_before (date-time)', { created_before: '2024-03-15T12:30:00Z' }],
  ['created range with offset', { created_after: '2024-01-01T00:00:00+02:00', created_before: '2024-07-01' }],
  ['min_size_gb', { min_size_gb: 100 }],
  ['max_size_gb', { max_size_gb: 2.5 }],
  ['size range', { min_size_gb: 10, max_size_gb: 20 }],
  ['resource_type with region', { resource_type: 'volume', region: 'nyc1' }],
  [
    'everything at once',
    {
      resource_type: 'droplet',
      name: '*-1?-*',
      region: 'sfo3',
      tag: 'keep',
      created_after: '2023-06-01',
      min_size_gb: 1,
      max_size_gb: 200,
    },
  ],
  ['a filter nothing matches', { name: 'no-such-snapshot' }],
];

describe('filters across every page', () => {
  it.each(filters)('%s', async (_name, given) => {
    // The busiest source Droplet or volume of the account, for the resource_id filter.
    const selection = given.resource_id === 'SOURCE' ? { resource_id: busiestSource() } : given;
    const expected = select(all, selection);
    if (given.resource_id) expect(expected.length).toBeGreaterThan(3);
    const { snapshots } = await walk({ ...selection, limit: 1000 });
    expect(ids(snapshots)).toEqual(ids(expected));
    expect(snapshots).toEqual(expected);
  });

  it('scans every page and says so', async () => {
    const result = await h.call({ region: 'fra1', limit: 5, fresh: true });
    expect(listed(result)).toMatchObject({ pages_fetched: 15, total: 3000, scanned: 3000 });
    expect(textOf(result)).toMatch(/Scanned all 3,000 snapshots in 15 pages, as of \d\d:\d\d:\d\d UTC, (just now|[\d,]+ s ago)\./);
    // The next scan-type call is answered from that scan: no page fetched, and it says so.
    const requests = h.api.requests.length;
    const again = await h.call({ region: 'ams3', limit: 5 });
    expect(listed(again)).toMatchObject({ pages_fetched: 0, total: 3000, scanned: 3000, as_of: listed(result).as_of });
    expect(textOf(again)).toMatch(/From the scan of \d\d:\d\d:\d\d UTC, (just now|[\d,]+ s ago): all 3,000 snapshots, no request made\./);
    expect(h.api.requests.length).toBe(requests);
  });

  it('filters on top of the API resource_type filter', async () => {
    const result = await list({ resource_type: 'volume', tag: 'backup', limit: 10 });
    expect(result.total).toBe(all.filter((snapshot) => snapshot.resource_type === 'volume').length);
    const { snapshots } = await walk({ resource_type: 'volume', tag: 'backup', limit: 1000 });
    expect(ids(snapshots)).toEqual(ids(select(all, { resource_type: 'volume', tag: 'backup' })));
  });
});

describe('sort', () => {
  it.each(['created_desc', 'created_asc', 'size_desc', 'name_asc'] as const)('%s, alone and with filters', async (sort) => {
    expect(ids((await walk({ sort, limit: 1000 })).snapshots)).toEqual(ids(select(all, { sort })));
    const selection: Selection = { region: 'ams3', min_size_gb: 5, sort };
    expect(ids((await walk({ ...selection, limit: 77, per_page: 150 })).snapshots)).toEqual(ids(select(all, selection)));
  });

  it('without sort keeps the API order', async () => {
    expect(ids((await walk({ tag: 'web', limit: 1000 })).snapshots)).toEqual(ids(select(all, { tag: 'web' })));
  });
});

describe('summary over every match', () => {
  it.each([
    ['the whole account (summary=true)', {}],
    ['a filter', { region: 'lon1', created_before: '2025-01-01' }],
    ['volumes only', { resource_type: 'volume' }],
  ] as [string, Selection][])('%s: numbers to the cent', async (_name, selection) => {
    const matches = select(all, selection);
    const expected = expectedSummary(matches);
    const result = await h.call({ ...selection, summary: true, limit: 3 });
    const { summary, count } = listed(result);
    expect(count).toBe(Math.min(3, matches.length));
    expect(summary).toMatchObject({
      matched: expected.matched,
      total_gb: expected.total_gb,
      monthly_cost_usd: expected.monthly_cost_usd,
      price_per_gb_month_usd: 0.06,
      by_resource_type: expected.byType,
      by_region: expected.byRegion,
    });
    const byAge = [...matches].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
    expect(summary!.oldest!.id).toBe(byAge[0]!.id);
    expect(summary!.newest!.id).toBe(byAge.at(-1)!.id);
    expect(summary!.largest!.size_gigabytes).toBe(Math.max(...matches.map((snapshot) => snapshot.size_gigabytes)));
    const dollars = expected.monthly_cost_usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(textOf(result)).toContain(
      `All ${expected.matched.toLocaleString('en-US')} matching: ${expected.total_gb.toLocaleString('en-US', { maximumFractionDigits: 2 })} GB, about $${dollars} a month at $0.06 per GB-month.`,
    );
  });

  it('limit 0 answers the totals alone in both halves, and its cursor lists from the first match', async () => {
    const matches = select(all, { resource_type: 'volume' });
    const expected = expectedSummary(matches);
    const result = await h.call({ resource_type: 'volume', limit: 0 });
    const answer = listed(result);
    expect(answer).toMatchObject({
      snapshots: [],
      count: 0,
      truncated: true,
      summary: { matched: expected.matched, total_gb: expected.total_gb },
    });
    expect(textOf(result)).toMatch(
      new RegExp(`^${expected.matched.toLocaleString('en-US')} matching volume snapshots: totals only \\(limit 0\\)\\. `),
    );
    expect(textOf(result)).not.toMatch(/^id\t/m);
    expect(textOf(result)).toContain(
      `Rows: call again with summary=true, a limit above 0 (the other arguments the same) and cursor="${answer.next_cursor}".`,
    );
    const rows = listed(await h.call({ resource_type: 'volume', summary: true, limit: 5, cursor: answer.next_cursor }));
    expect(rows.snapshots.map((snapshot) => snapshot.id)).toEqual(matches.slice(0, 5).map((snapshot) => snapshot.id));
  });

  it('is absent without filters, sort or summary, which stop at limit', async () => {
    const result = await list({ limit: 10 });
    expect(result).not.toHaveProperty('summary');
    expect(result.pages_fetched).toBe(1);
  });

  it('is empty and plain when nothing matches', async () => {
    const result = await h.call({ name: 'zzz-nothing', summary: true, fresh: true });
    const { summary } = listed(result);
    expect(summary).toMatchObject({ matched: 0, total_gb: 0, monthly_cost_usd: 0 });
    expect(summary).not.toHaveProperty('oldest');
    expect(textOf(result)).toMatch(
      /^No snapshots match \(filters name=zzz-nothing\); scanned all 3,000 snapshots in 15 pages, as of \d\d:\d\d:\d\d UTC, (just now|[\d,]+ s ago)\.$/,
    );
  });
});

describe('exact continuation with cursors', () => {
  it.each([
    { limit: 7, per_page: 200 },
    { limit: 200, per_page: 200 },
    { limit: 333, per_page: 150 },
    { limit: 1000, per_page: 37 },
  ])('raw paging: limit $limit, per_page $per_page, walks the whole account', async (args) => {
    const { snapshots, calls } = await walk(args);
    expect(ids(snapshots)).toEqual(ids(all));
    // The size budget may list fewer than limit in an answer, never more.
    expect(calls).toBeGreaterThanOrEqual(Math.ceil(3000 / args.limit));
  });

  it('raw paging can change limit and per_page between calls', async () => {
    const first = await list({ limit: 45, per_page: 20 });
    const second = await list({ limit: 100, per_page: 200, cursor: first.next_cursor });
    expect(ids([...first.snapshots, ...second.snapshots])).toEqual(ids(all.slice(0, 145)));
  });

  it('property: any limit, per_page, filter and sort walk to exactly the expected list', async () => {
    const selection = fc.record(
      {
        resource_type: fc.constantFrom('droplet' as const, 'volume' as const),
        region: fc.constantFrom('fra1', 'nyc3', 'sfo3'),
        tag: fc.constantFrom('keep', 'web', 'backup'),
        min_size_gb: fc.integer({ min: 0, max: 50 }),
        sort: fc.constantFrom('created_desc' as const, 'created_asc' as const, 'size_desc' as const, 'name_asc' as const),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(selection, fc.integer({ min: 1, max: 400 }), fc.integer({ min: 100, max: 200 }), async (sel, limit, perPage) => {
        const expected = select(all, sel);
        fc.pre(Math.ceil(expected.length / limit) <= 25);
        const { snapshots } = await walk({ ...sel, limit, per_page: perPage });
        expect(ids(snapshots)).toEqual(ids(expected));
      }),
      { numRuns: 25, seed: 20261129 },
    );
  });

  it('a sorted scan finds its place by the last id even after the account changed', async () => {
    const first = await list({ sort: 'size_desc', min_size_gb: 200, limit: 5 });
    const at = h.api.snapshots.findIndex((snapshot) => snapshot.id === first.snapshots[0]!.id);
    const removed = h.api.snapshots.splice(at, 1);
    try {
      const second = await list({ sort: 'size_desc', min_size_gb: 200, limit: 5, cursor: first.next_cursor });
      const expected = select(h.api.snapshots, { sort: 'size_desc', min_size_gb: 200 });
      expect(ids(second.snapshots)).toEqual(ids(expected.slice(4, 9)));
    } finally {
      h.api.snapshots.splice(at, 0, ...removed);
    }
  });

  it.each([
    [
      'different filters',
      { region: 'fra1' },
      { region: 'ams3' },
      /belongs to different arguments \(region=fra1,scan=true\) than this call \(region=ams3,scan=true\)/,
    ],
    ['a sort added', { region: 'fra1' }, { region: 'fra1', sort: 'name_asc' }, /belongs to different arguments/],
    ['raw paging reused with a filter', {}, { tag: 'keep' }, /belongs to different arguments/],
  ])('refuses a cursor used with %s', async (_name, firstArgs, secondArgs, message) => {
    const first = await list({ ...firstArgs, limit: 2 });
    const result = await h.call({ ...secondArgs, limit: 2, cursor: first.next_cursor });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(message);
  });

  it.each([
    ['garbled', 'not-a-cursor!!', /does not decode|damaged/],
    ['damaged', Buffer.from('{"v":1}').toString('base64url'), /damaged or from another version/],
    [
      'from the previous version',
      Buffer.from(JSON.stringify({ v: 1, q: '', h: 'x', o: 5 })).toString('base64url'),
      /damaged or from another version/,
    ],
    ['edited', 'EDIT', /cut or changed \(its checksum does not match\)/],
    ['cut short', 'CUT', /does not decode|damaged/],
  ])('refuses a %s cursor before any request', async (_name, given, message) => {
    const made = (await list({ limit: 3 })).next_cursor!;
    const body = JSON.parse(Buffer.from(made, 'base64url').toString('utf8')) as { o: number };
    const cursor =
      given === 'EDIT'
        ? Buffer.from(JSON.stringify({ ...body, o: body.o + 10 })).toString('base64url')
        : given === 'CUT'
          ? made.slice(0, -6)
          : given;
    const before = h.api.requests.length;
    const result = await h.call({ cursor });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(message);
    expect(h.api.requests.length).toBe(before);
  });
});

describe('response_format and the text budget', () => {
  it('detailed adds min disk, full timestamps and the source resource', async () => {
    const result = await h.call({ limit: 2, response_format: 'detailed' });
    const lines = textOf(result).split('\n');
    const header = lines.findIndex((line) => line.startsWith('id\t'));
    expect(lines[header]).toMatch(/^id\tname\ttype\tGB\tmin_disk_gb\tregions\tcreated_at\tresource_id\ttags/);
    const first = all[0]!;
    expect(lines[header + 1]!.split('\t')).toEqual([
      first.id,
      first.name,
      first.resource_type === 'droplet' ? 'D' : 'V',
      String(first.size_gigabytes),
      String(first.min_disk_size),
      first.regions.join(','),
      first.created_at,
      first.resource_id,
      first.tags?.length ? first.tags.join(',') : '-',
    ]);
  });

  it.each(['concise', 'detailed'] as const)(
    '%s: limit 1000 stops where either half would pass the budget, and the cursor reads on',
    async (format) => {
      const result = await h.call({ limit: 1000, response_format: format });
      const answer = listed(result);
      const text = textOf(result);
      expect(text.length).toBeLessThanOrEqual(40_000);
      expect(JSON.stringify(result.structuredContent).length).toBeLessThanOrEqual(40_000);
      // One more row would have passed the budget in one half or the other.
      const nextRow = JSON.stringify(all[answer.count]).length;
      expect(JSON.stringify(result.structuredContent).length + nextRow + 1).toBeGreaterThan(40_000 - 200);
      expect(answer.count).toBeGreaterThan(100);
      expect(answer.count).toBeLessThan(1000);
      expect(answer.truncated).toBe(true);
      expect(answer.warnings).toContain(
        `Only ${answer.count} of the 1000 snapshots asked for fit this answer's size budget (40,000 characters); continue with the cursor for the rest.`,
      );
      const rows = text.split('\n').filter((line) => /^(\d+|[0-9a-f-]{36})\t/.test(line));
      expect(rows.map((row) => row.split('\t')[0])).toEqual(ids(answer.snapshots));
      expect(text).toContain(`cursor="${answer.next_cursor}"`);
      const rest = await list({ limit: 5, response_format: format, cursor: answer.next_cursor });
      expect(ids(rest.snapshots)).toEqual(ids(all.slice(answer.count, answer.count + 5)));
    },
  );

  it('declares the budget to Claude Code on the tool', async () => {
    const { tools } = await h.client.listTools();
    expect(tools.find((tool) => tool.name === 'list_snapshots')!._meta).toEqual({ 'anthropic/maxResultSizeChars': 40_000 });
  });
});

describe('arguments that do not make sense together', () => {
  it.each([
    [{ created_after: '2025-01-01', created_before: '2024-01-01' }, /created_after must be earlier than created_before/],
    [{ created_after: '2025-01-01', created_before: '2025-01-01' }, /created_after must be earlier than created_before/],
    [{ min_size_gb: 10, max_size_gb: 5 }, /min_size_gb must not be larger than max_size_gb/],
    [{ older_than_days: 30, created_before: '2025-01-01' }, /either older_than_days or created_before/],
    [{ region: 'fra1', page: 2 }, /Invalid arguments/],
    [{ created_after: '2025-13-01' }, /not a real date/],
    [{ created_after: 'yesterday' }, /expected an ISO 8601 date/],
    [{ created_before: '2025-01-01T10:00:00' }, /expected an ISO 8601 date/],
    [{ sort: 'oldest' }, /Invalid arguments/],
    [{ min_size_gb: -1 }, /Invalid arguments/],
    [{ region: 'fra 1' }, /expected a region slug/],
    [{ name: '' }, /Invalid arguments/],
    [{ response_format: 'json' }, /Invalid arguments/],
  ])('%j', async (args, message) => {
    const before = h.api.requests.length;
    const result = await h.call(args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(message);
    expect(h.api.requests.length).toBe(before);
  });

  it('older_than_days means created more than N days before now', async () => {
    const cutoff = new Date(Date.now() - 400 * 86_400_000).toISOString();
    const { snapshots } = await walk({ older_than_days: 400, limit: 1000 });
    expect(ids(snapshots)).toEqual(ids(select(all, { created_before: cutoff })));
  });
});
