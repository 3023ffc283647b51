import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/digitalocean/schemas.js';
import { harness, listed, textOf, type Harness } from '../helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function listRequests(api: Harness['api']) {
  return api.requests.filter((request) => request.url.startsWith('/v2/snapshots'));
}

describe('list_snapshots in tools/list', () => {
  it('publishes bounds, enum, descriptions, annotations and the output schema', async () => {
    h = await harness();
    const { tools } = await h.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['list_snapshots', 'get_snapshot', 'plan_snapshot_cleanup']);
    const tool = tools[0]!;
    expect(tool.title).toBeTruthy();
    expect(tool.description).toMatch(/limit/);
    expect(tool.annotations).toEqual({ readOnlyHint: true, openWorldHint: true, idempotentHint: true, destructiveHint: false });

    const props = tool.inputSchema.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(props).sort()).toEqual([
      'created_after',
      'created_before',
      'cursor',
      'fresh',
      'limit',
      'max_size_gb',
      'min_size_gb',
      'name',
      'older_than_days',
      'page',
      'per_page',
      'region',
      'resource_id',
      'resource_type',
      'response_format',
      'sort',
      'summary',
      'tag',
    ]);
    // Only the self-explanatory fields go without a description.
    expect(
      Object.keys(props)
        .filter((key) => !props[key]!.description)
        .sort(),
    ).toEqual(['max_size_gb', 'min_size_gb', 'resource_type', 'sort']);
    expect(props.resource_type).toMatchObject({ enum: ['droplet', 'volume'] });
    expect(props.per_page).toMatchObject({ type: 'integer', minimum: 1, maximum: 200, default: 200 });
    expect(props.limit).toMatchObject({ type: 'integer', minimum: 0, maximum: 1000, default: 50 });
    expect(props.region).toMatchObject({ pattern: '^[a-zA-Z0-9-]{2,20}$' });
    expect(tool.inputSchema.required ?? []).toEqual([]);
    expect(tool.inputSchema).toMatchObject({ additionalProperties: false });

    const output = tool.outputSchema!;
    // Published as sent: what is always there is the zod schema's to enforce (the SDK checks every answer).
    expect(output.required).toBeUndefined();
    expect(Object.keys(output.properties!)).toEqual([
      'snapshots',
      'count',
      'total',
      'truncated',
      'next_cursor',
      'pages_fetched',
      'scanned',
      'as_of',
      'summary',
      'warnings',
    ]);
    const item = (output.properties as Record<string, { items: { properties: object } }>).snapshots!.items;
    expect(Object.keys(item.properties).sort()).toEqual([
      'created_at',
      'id',
      'min_disk_size',
      'name',
      'regions',
      'resource_id',
      'resource_type',
      'size_gigabytes',
      'tags',
    ]);
  });
});

describe('list_snapshots results', () => {
  it('uses the defaults: per_page 200, page 1, limit 50, one request', async () => {
    h = await harness({ count: 250 });
    const result = listed(await h.call());
    expect(result.snapshots).toEqual(h.api.snapshots.slice(0, 50));
    expect(result).toMatchObject({ count: 50, total: 250, truncated: true, pages_fetched: 1 });
    expect(listRequests(h.api).map((request) => request.url)).toEqual(['/v2/snapshots?page=1&per_page=200']);
  });

  it("page and per_page list exactly the API's page at that size, and the cursor continues with the next", async () => {
    h = await harness({ count: 250 });
    const second = listed(await h.call({ page: 2, per_page: 50 }));
    expect(second.snapshots).toEqual(h.api.snapshots.slice(50, 100));
    expect(listRequests(h.api).map((request) => request.url)).toEqual(['/v2/snapshots?page=2&per_page=50']);
    const third = listed(await h.call({ page: 2, per_page: 50, cursor: second.next_cursor }));
    expect(third.snapshots).toEqual(h.api.snapshots.slice(100, 150));
    const last = listed(await h.call({ page: 5, per_page: 50 }));
    expect(last).toMatchObject({ count: 50, truncated: false });
    expect(last.snapshots).toEqual(h.api.snapshots.slice(200, 250));
    const past = await h.call({ page: 6, per_page: 50 });
    expect(listed(past)).toMatchObject({ count: 0, total: 250 });
    expect(textOf(past)).toMatch(/^No snapshots on this page: all 250 snapshots come before it\./);
    const refused = await h.call({ page: 2, region: 'fra1' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/page is the API's own paging and does not combine with filters/);
  });

  it('returns the whole account when it fits, untruncated', async () => {
    h = await harness({ count: 37 });
    const result = listed(await h.call({ limit: 1000 }));
    expect(result.snapshots).toEqual(h.api.snapshots);
    expect(result).toMatchObject({ count: 37, total: 37, truncated: false, pages_fetched: 1 });
  });

  it.each([
    { limit: 7, perPage: 10, count: 7, pages: 1, truncated: true },
    { limit: 10, perPage: 10, count: 10, pages: 1, truncated: true },
    { limit: 25, perPage: 10, count: 25, pages: 3, truncated: true },
    { limit: 30, perPage: 10, count: 30, pages: 3, truncated: false },
    { limit: 1000, perPage: 10, count: 30, pages: 3, truncated: false },
  ])('limit $limit with per_page $perPage over 30 snapshots', async ({ limit, perPage, count, pages, truncated }) => {
    h = await harness({ count: 30 });
    const result = listed(await h.call({ limit, per_page: perPage }));
    expect(result.snapshots).toEqual(h.api.snapshots.slice(0, count));
    expect(result).toMatchObject({ count, total: 30, truncated, pages_fetched: pages });
    expect(listRequests(h.api)).toHaveLength(pages);
  });

  it('continues exactly from a cursor, and says when nothing is left', async () => {
    h = await harness({ count: 45 });
    const first = listed(await h.call({ per_page: 10, limit: 20 }));
    const rest = await h.call({ per_page: 10, limit: 100, cursor: first.next_cursor });
    expect(listed(rest).snapshots).toEqual(h.api.snapshots.slice(20));
    expect(listed(rest)).toMatchObject({ count: 25, total: 45, truncated: false, pages_fetched: 3 });
    expect(textOf(rest)).toMatch(/^25 of 45 snapshots, [\d,.]+ GB in these 25; the last of them\.$/m);
  });

  it.each(['droplet', 'volume'] as const)('passes resource_type=%s to the API and across pages', async (type) => {
    h = await harness({ count: 120 });
    const expected = h.api.snapshots.filter((snapshot) => snapshot.resource_type === type);
    const result = listed(await h.call({ resource_type: type, per_page: 15, limit: 1000 }));
    expect(result.snapshots).toEqual(expected);
    expect(result.total).toBe(expected.length);
    expect(result.pages_fetched).toBe(Math.ceil(expected.length / 15));
    for (const request of listRequests(h.api)) expect(request.url).toContain(`resource_type=${type}`);
  });

  it('reports an empty account plainly', async () => {
    h = await harness({ snapshots: [] });
    const result = await h.call();
    expect(listed(result)).toEqual({ snapshots: [], count: 0, total: 0, truncated: false, pages_fetched: 1 });
    expect(textOf(result)).toBe('No snapshots in this account.');
  });

  it('keeps API values unchanged, strips unknown fields, accepts tags null', async () => {
    const snapshot: Snapshot = {
      id: '6372321',
      name: 'web-01-1595954862243',
      created_at: '2020-07-28T16:47:44Z',
      regions: ['nyc3', 'sfo3'],
      resource_id: '200776916',
      resource_type: 'droplet',
      min_disk_size: 25,
      size_gigabytes: 2.34,
      tags: null,
    };
    h = await harness({ snapshots: [{ ...snapshot, future_field: { x: 1 } } as Snapshot] });
    const result = await h.call();
    expect(listed(result).snapshots).toEqual([snapshot]);
    expect(textOf(result)).toContain('6372321\tweb-01-1595954862243\tD\t2.34\tnyc3,sfo3\t2020-07-28\t?');
    expect(textOf(result)).toMatch(/tag:read/);
  });

  it('shows tags as null when the token lacks tag:read', async () => {
    h = await harness({ count: 5, scopes: ['snapshot:read'] });
    const result = listed(await h.call());
    expect(result.snapshots.map((snapshot) => snapshot.tags)).toEqual([null, null, null, null, null]);
  });
});

describe('list_snapshots text', () => {
  it('has a headline with the numbers and one line per snapshot', async () => {
    h = await harness({ count: 250 });
    const result = await h.call({ limit: 60 });
    const text = textOf(result);
    const gb = h.api.snapshots.slice(0, 60).reduce((sum, snapshot) => sum + snapshot.size_gigabytes, 0);
    const [head, hint, blank, legend, columns, ...rows] = text.split('\n');
    expect(head).toBe(`60 of 250 snapshots, ${gb.toLocaleString('en-US', { maximumFractionDigits: 2 })} GB in these 60; more exist.`);
    const cursor = listed(result).next_cursor;
    expect(hint).toBe(`More exist: call again with the same arguments and cursor="${cursor}", or raise limit (up to 1,000).`);
    expect(blank).toBe('');
    expect(legend).toBe('Rows: type D = Droplet snapshot, V = volume snapshot.');
    expect(columns).toBe('id\tname\ttype\tGB\tregions\tcreated\ttags');
    expect(rows).toHaveLength(60);
    h.api.snapshots.slice(0, 60).forEach((snapshot, i) => {
      expect(rows[i]!.split('\t')[0]).toBe(snapshot.id);
      expect(rows[i]!.split('\t')[1]).toBe(snapshot.name);
    });
  });

  it('continues exactly where the hint says', async () => {
    h = await harness({ count: 250 });
    const first = await h.call({ limit: 60, per_page: 25 });
    const cursor = /cursor="([^"]+)"/.exec(textOf(first))![1];
    const second = listed(await h.call({ limit: 60, per_page: 25, cursor }));
    expect([...listed(first).snapshots, ...second.snapshots]).toEqual(h.api.snapshots.slice(0, 120));
    expect(h.api.requests.map((request) => request.url).slice(3)).toEqual([
      '/v2/snapshots?page=3&per_page=25',
      '/v2/snapshots?page=4&per_page=25',
      '/v2/snapshots?page=5&per_page=25',
    ]);
  });

  it('says complete when nothing more exists', async () => {
    h = await harness({ count: 3 });
    expect(textOf(await h.call()).split('\n')[0]).toMatch(/^3 of 3 snapshots, .* GB in these 3; complete list\.$/);
  });

  it('per listed snapshot: text at most 0.35x and JSON at most 1.0x the raw API JSON', async () => {
    h = await harness({ count: 1000 });
    const result = await h.call({ limit: 1000 });
    const answer = listed(result);
    const raw = h.api.snapshots.slice(0, answer.count).reduce((sum, snapshot) => sum + JSON.stringify(snapshot).length, 0);
    expect(textOf(result).length).toBeLessThan(raw * 0.35);
    expect(JSON.stringify(answer.snapshots).length).toBeLessThanOrEqual(JSON.stringify(h.api.snapshots.slice(0, answer.count)).length);
  });

  it('keeps each snapshot on one line whatever its name holds', async () => {
    const [base] = (await import('../../src/fake-api/data.js')).generateSnapshots(1);
    h = await harness({ snapshots: [{ ...base!, name: 'evil\nname\twith\u2028breaks' }] });
    const rows = textOf(await h.call()).split('\n');
    // CR, LF and tab become spaces; a line separator (U+2028) is removed.
    expect(rows.at(-1)).toContain('evil name withbreaks');
    expect(rows.at(-1)!.split('\t')).toHaveLength(7);
  });
});
