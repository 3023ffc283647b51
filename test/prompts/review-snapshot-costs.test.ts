import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('review_snapshot_costs', () => {
  it('is listed with its optional arguments', async () => {
    h = await harness({ count: 1 });
    const { prompts } = await h.client.listPrompts();
    expect(prompts).toEqual([
      expect.objectContaining({
        name: 'review_snapshot_costs',
        title: 'Review snapshot costs',
        arguments: [
          expect.objectContaining({ name: 'older_than_days', required: false }),
          expect.objectContaining({ name: 'resource_type', required: false }),
        ],
      }),
    ]);
  });

  it('asks for a read-only cleanup plan built from the tools, with the arguments filled in', async () => {
    h = await harness({ count: 1 });
    const result = await h.client.getPrompt({
      name: 'review_snapshot_costs',
      arguments: { older_than_days: '180', resource_type: 'volume' },
    });
    const text = (result.messages[0]!.content as { text: string }).text;
    expect(result.messages[0]!.role).toBe('user');
    expect(text).toMatch(/Do not delete anything, and confirm nothing without me/);
    expect(text).toContain('Call plan_snapshot_cleanup with older_than_days=180, keep_last=1, resource_type="volume"');
    expect(text).toMatch(/monthly saving/);
    expect(text).toMatch(/orphans may be deliberate archives/);
    expect(h.api.requests).toHaveLength(0);
  });

  it('defaults to 90 days and both types, and refuses a non-number', async () => {
    h = await harness({ count: 1 });
    const text = ((await h.client.getPrompt({ name: 'review_snapshot_costs' })).messages[0]!.content as { text: string }).text;
    expect(text).toContain('plan_snapshot_cleanup with older_than_days=90, keep_last=1:');
    await expect(h.client.getPrompt({ name: 'review_snapshot_costs', arguments: { older_than_days: 'ninety' } })).rejects.toThrow(
      /whole number of days/,
    );
  });

  it('completes resource_type', async () => {
    h = await harness({ count: 1 });
    const result = await h.client.complete({
      ref: { type: 'ref/prompt', name: 'review_snapshot_costs' },
      argument: { name: 'resource_type', value: 'v' },
    });
    expect(result.completion.values).toEqual(['volume']);
  });
});
