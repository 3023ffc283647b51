import { afterEach, describe, expect, it } from 'vitest';
import { ALWAYS, harness, textOf, type Harness } from '../helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('get_snapshot', () => {
  it('is published read-only, with an id schema and an output schema', async () => {
    h = await harness({ count: 5 });
    const tool = (await h.client.listTools()).tools.find((entry) => entry.name === 'get_snapshot')!;
    expect(tool.annotations).toEqual({ readOnlyHint: true, openWorldHint: true, idempotentHint: true, destructiveHint: false });
    expect(tool.inputSchema).toMatchObject({ required: ['id'], additionalProperties: false });
    expect((tool.inputSchema.properties as Record<string, { description?: string }>).id!.description).toMatch(/digits .* UUID/i);
    expect(Object.keys(tool.outputSchema!.properties!)).toEqual(['snapshot', 'monthly_cost_usd', 'age_days', 'warnings']);
  });

  it.each(['droplet', 'volume'])('returns a %s snapshot whole, with a compact text', async (type) => {
    h = await harness({ count: 20 });
    const target = h.api.snapshots.find((snapshot) => snapshot.resource_type === type)!;
    const result = await h.call({ id: target.id }, 'get_snapshot');
    expect(result.isError).toBeFalsy();
    // $0.06 per GB-month, at least $0.01.
    const cost = Math.max(1, Math.round(target.size_gigabytes * 6 + 1e-9)) / 100;
    const days = Math.floor((Date.now() - Date.parse(target.created_at)) / 86_400_000);
    expect(result.structuredContent).toEqual({ snapshot: target, monthly_cost_usd: cost, age_days: days });
    const text = textOf(result);
    expect(text).toContain(`${type === 'droplet' ? 'Droplet' : 'Volume'} snapshot ${target.id} "${target.name}"`);
    expect(text).toContain(`about $${cost.toFixed(2)} a month.`);
    expect(text).toContain(`Created ${target.created_at.slice(0, 10)} (${days.toLocaleString('en-US')} days ago)`);
    expect(text).toContain(
      `From ${type === 'droplet' ? 'Droplet' : 'volume'} ${target.resource_id}; needs a disk of at least ${target.min_disk_size} GB.`,
    );
    expect(h.api.requests.map((request) => request.url)).toEqual([`/v2/snapshots/${target.id}`]);
  });

  it('404: no such snapshot, and how to find ids', async () => {
    h = await harness({ count: 5 });
    const result = await h.call({ id: '123456789' }, 'get_snapshot');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^No snapshot with id 123456789 \(HTTP 404; request_id [0-9a-f-]{36}\): it was deleted, or the id is wrong\. list_snapshots finds ids: filter with name/,
    );
  });

  it("400 not_a_snapshot: the id is an image's, not a snapshot's", async () => {
    h = await harness({ count: 5, imageIds: ['7555620'] });
    const result = await h.call({ id: '7555620' }, 'get_snapshot');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^7555620 is not a snapshot \(HTTP 400 "the resource is not a snapshot"; request_id .*\): it is probably a Droplet, volume or image id/,
    );
  });

  it('other failures get the usual explanations (401, 5xx after retries)', async () => {
    h = await harness({ count: 5, tokens: {} });
    expect(textOf(await h.call({ id: '1' }, 'get_snapshot'))).toMatch(/rejected the API token/);
    await h.close();
    h = await harness({ count: 5 });
    h.api.inject({ type: 'status', status: 503 }, ALWAYS);
    expect(textOf(await h.call({ id: h.api.snapshots[0]!.id }, 'get_snapshot'))).toMatch(/HTTP 503 server_error.*after 5 attempts/);
  });

  it.each(['', 'abc', '12a', '1'.repeat(21), 'fbe805e8-866b-11e6-96bf', '../v2/account', '7555620?x=1'])(
    'refuses the id %j before any request',
    async (id) => {
      h = await harness({ count: 5 });
      const result = await h.call({ id }, 'get_snapshot');
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/Invalid arguments for tool get_snapshot/);
      expect(h.api.requests).toHaveLength(0);
    },
  );

  it('accepts an upper-case UUID and surrounding spaces', async () => {
    h = await harness({ count: 30 });
    const target = h.api.snapshots.find((snapshot) => snapshot.resource_type === 'volume')!;
    const result = await h.call({ id: ` ${target.id.toUpperCase()} ` }, 'get_snapshot');
    expect(result.structuredContent).toMatchObject({ snapshot: target });
    expect(h.api.requests.map((request) => request.url)).toEqual([`/v2/snapshots/${target.id}`]);
  });
});
