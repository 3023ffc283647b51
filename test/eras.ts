import { Client, type Transport } from '@modelcontextprotocol/client';
import { expect } from 'vitest';

/** The protocol revisions the server must serve alike: the current one and every 2025 handshake. */
export const REVISIONS = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'] as const;
export type Revision = (typeof REVISIONS)[number];

/** An SDK client that speaks exactly one revision: 2026-07-28 by `server/discover`, the others by `initialize`. */
export async function clientFor(revision: Revision, transport: Transport): Promise<Client> {
  const client =
    revision === '2026-07-28'
      ? new Client({ name: 'eras', version: '1.0.0' }, { versionNegotiation: { mode: { pin: revision } } })
      : new Client({ name: 'eras', version: '1.0.0' }, { supportedProtocolVersions: [revision] });
  await client.connect(transport);
  expect(client.getNegotiatedProtocolVersion()).toBe(revision);
  return client;
}

/**
 * One conversation touching every tool, the prompt, its completion and the App resource, with the
 * usual failures (an unknown id, arguments out of range, an unknown tool). Returns what the client
 * received, less what legitimately differs between two runs: the server's identity stamp on 2026
 * answers, request ids made up by the fake API, and the moments of the scans.
 */
export async function conversation(client: Client): Promise<unknown[]> {
  const seen: unknown[] = [];
  const keep = (value: unknown) => seen.push(normalised(value));
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    keep({ call: name, args, result });
    return result.structuredContent as Record<string, unknown> | undefined;
  };
  keep((await client.listTools()).tools);
  keep((await client.listPrompts()).prompts);
  keep(await client.getPrompt({ name: 'review_snapshot_costs', arguments: { older_than_days: '30' } }));
  keep(
    await client.complete({ ref: { type: 'ref/prompt', name: 'review_snapshot_costs' }, argument: { name: 'resource_type', value: 'v' } }),
  );
  const resources = (await client.listResources()).resources;
  keep(resources);
  const app = await client.readResource({ uri: resources[0]!.uri });
  keep(app);
  const hinted = client.getNegotiatedProtocolVersion() === '2026-07-28';
  expect(app).toMatchObject(hinted ? { ttlMs: 3_600_000, cacheScope: 'public' } : {});
  if (!hinted) expect(Object.keys(app)).not.toContain('ttlMs');
  const page = await call('list_snapshots', { sort: 'size_desc', limit: 3 });
  await call('list_snapshots', { sort: 'size_desc', limit: 3, cursor: page?.next_cursor });
  await call('list_snapshots', { summary: true, limit: 1, resource_type: 'volume' });
  await call('get_snapshot', { id: (page!.snapshots as { id: string }[])[0]!.id });
  await call('get_snapshot', { id: '1' });
  await call('list_snapshots', { per_page: 500 });
  await call('plan_snapshot_cleanup', { keep_last: 1, limit: 3 });
  keep(
    await client
      .callTool({ name: 'no_such_tool', arguments: {} })
      .catch((error: { code?: number; message?: string }) => ({ code: error.code, message: error.message })),
  );
  return seen;
}

const IDENTITY = 'io.modelcontextprotocol/serverInfo';
/** Fields only the 2026-07-28 revision has (its cache hints: conversation() checks them apart). */
const REVISION_ONLY = new Set(['ttlMs', 'cacheScope']);

function normalised(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, inner: unknown) => {
    if (key === '_meta' && inner !== null && typeof inner === 'object' && IDENTITY in inner) {
      const { [IDENTITY]: _identity, ...rest } = inner as Record<string, unknown>;
      return Object.keys(rest).length > 0 ? rest : undefined;
    }
    if (REVISION_ONLY.has(key)) return undefined;
    if (typeof inner !== 'string') return inner;
    if (key === 'request_id') return '<request id>';
    if (key === 'cursor' || key === 'next_cursor') return cursorShape(inner);
    return inner
      .replace(/cursor="([\w-]+)"/g, (_whole, cursor: string) => `cursor="${cursorShape(cursor)}"`)
      .replace(/request_id [0-9a-f-]{36}/g, 'request_id <request id>')
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, (instant) => (key === 'as_of' ? '<scan time>' : instant))
      .replace(/\b([Aa]s of|[Ff]rom the scan of) \d{2}:\d{2}:\d{2} UTC, (just now|[\d,]+ s ago)/g, '$1 <scan time>');
  });
}

/** A cursor without what one process alone knows: the id of its view and its signature. */
function cursorShape(cursor: string): string {
  const { w: _view, h: _signature, ...rest } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  return JSON.stringify(rest);
}
