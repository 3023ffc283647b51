import { afterEach, describe, expect, it } from 'vitest';
import { COST_REVIEW_META, COST_REVIEW_URI, MCP_APP_MIME_TYPE } from '../../src/app/cost-review.js';
import { AGE_LABELS, REASON_LABELS } from '../../src/format/labels.js';
import { ageBucketSchema, reasonSchema } from '../../src/snapshots/cleanup.js';
import { harness, type Harness } from '../helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the cost review MCP App', () => {
  it('is listed as a ui:// resource of the MCP Apps type, one HTML file under 600 KB', async () => {
    h = await harness({ count: 5 });
    const { resources } = await h.client.listResources();
    expect(resources).toEqual([expect.objectContaining({ uri: COST_REVIEW_URI, mimeType: 'text/html;profile=mcp-app' })]);
    const { contents } = await h.client.readResource({ uri: COST_REVIEW_URI });
    expect(contents).toHaveLength(1);
    const html = String((contents[0] as { text: string }).text);
    expect(html).toMatch(/^<!doctype html>/);
    expect(Buffer.byteLength(html)).toBeLessThan(600 * 1024);
    // Self-contained and read-only: nothing it loads, nothing it asks the server to do.
    expect(html).not.toMatch(/\b(src|href)\s*=|url\(|@import|https?:\/\/|fetch\(|XMLHttpRequest|WebSocket|tools\/call|innerHTML/);
    expect(h.api.requests).toHaveLength(0);
  });

  it("names every age group and reason in the text's words, as data", async () => {
    h = await harness({ count: 5 });
    const html = String(((await h.client.readResource({ uri: COST_REVIEW_URI })).contents[0] as { text: string }).text);
    const block = /<script type="application\/json" id="labels">([^<]*)<\/script>/.exec(html);
    const labels = JSON.parse(block![1]!) as { age: Record<string, string>; reason: Record<string, string> };
    expect(labels).toEqual({ age: AGE_LABELS, reason: REASON_LABELS });
    expect(Object.keys(labels.age)).toEqual(ageBucketSchema.options);
    expect(Object.keys(labels.reason).sort()).toEqual([...reasonSchema.options].sort());
  });

  it('is linked from plan_snapshot_cleanup only, in both forms hosts read', async () => {
    h = await harness({ count: 5 });
    const { tools } = await h.client.listTools();
    const linked = tools.filter((tool) => tool._meta?.ui !== undefined);
    expect(linked.map((tool) => tool.name)).toEqual(['plan_snapshot_cleanup']);
    expect(linked[0]!._meta).toMatchObject({ ui: { resourceUri: COST_REVIEW_URI }, 'ui/resourceUri': COST_REVIEW_URI });
  });

  it("registers with the SDK's own calls what the extension's helpers would register", async () => {
    const extension = await import('@modelcontextprotocol/ext-apps/server');
    expect(MCP_APP_MIME_TYPE).toBe(extension.RESOURCE_MIME_TYPE);
    expect(COST_REVIEW_META[extension.RESOURCE_URI_META_KEY as 'ui/resourceUri']).toBe(COST_REVIEW_URI);
    // registerAppTool's one change to a tool is adding whichever of the two keys is missing.
    const registered: unknown[] = [];
    const server = { registerTool: (_name: string, config: { _meta: unknown }) => registered.push(config._meta) };
    extension.registerAppTool(server as never, 'tool', { _meta: COST_REVIEW_META } as never, (() => undefined) as never);
    expect(registered).toEqual([COST_REVIEW_META]);
  });
});
