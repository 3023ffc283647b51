import { promisify } from 'node:util';
import * as z from 'zod';
import { RESOURCE_TYPES, snapshotRecord, type ResourceType, type Snapshot } from '../digitalocean/schemas.js';
import { shortDigest } from '../digest.js';
import { KEY_PREFIX, type SharedStore } from '../store/shared-store.js';
import type { AccountView } from './account-views.js';

/**
 * Account views as replicas share them (REDIS_URL): a whole-account scan made by one replica answers
 * the next calls on every replica, and a cursor minted by one continues on any other. Keys come from
 * a hash of the owner (the API origin and a hash of the token), never from the token. A value says
 * whose it is, and a value for another owner, of another format, corrupt or malformed is ignored.
 * Encoding and decoding run in slices of snapshots, giving the event loop a turn between them.
 */

/** Past this, compressed, a view stays with the replica that read it (and a log line says so). */
export const MAX_SHARED_VIEW_BYTES = 32 * 1024 * 1024;
const CHUNK = 1_000;
const FORMAT = 1;

// node:zlib loads with the first shared view, not at start.
const gzip = (text: string) => promisify(process.getBuiltinModule('node:zlib').gzip)(text);
const gunzip = (payload: Buffer) => promisify(process.getBuiltinModule('node:zlib').gunzip)(payload);

const headerSchema = z.object({
  format: z.literal(FORMAT),
  owner: z.string(),
  resourceType: z.enum(RESOURCE_TYPES).nullable(),
  id: z.string().min(1).max(64),
  total: z.number().int().nonnegative(),
  pagesFetched: z.number().int().nonnegative(),
  drift: z.object({ totalBefore: z.number(), totalAfter: z.number(), duplicatesRemoved: z.number() }).nullable(),
  asOf: z.number(),
  count: z.number().int().nonnegative(),
});
const chunkSchema = z.array(snapshotRecord).max(CHUNK);

export interface SharedView {
  view: AccountView;
  resourceType: ResourceType | undefined;
  /** Bytes of its JSON: about what the scan that made it read. */
  bytes: number;
}

export class SharedViews {
  constructor(
    private readonly store: SharedStore,
    /** Past this, compressed, a view is not shared. */
    private readonly maxBytes = MAX_SHARED_VIEW_BYTES,
  ) {}

  /** The owner's newest shared view of this resource type (undefined: all types), if any. */
  async latest(owner: string, resourceType: ResourceType | undefined): Promise<SharedView | undefined> {
    const id = await this.latestId(owner, resourceType);
    return id ? this.byId(owner, id) : undefined;
  }

  /** The id of the owner's newest shared view of this resource type, if any. */
  async latestId(owner: string, resourceType: ResourceType | undefined): Promise<string | undefined> {
    return (await this.store.get(latestKey(owner, resourceType)))?.toString('utf8') || undefined;
  }

  /** The view a cursor names, if it is still shared and is this owner's. */
  async byId(owner: string, id: string): Promise<SharedView | undefined> {
    const payload = await this.store.get(viewKey(id), true);
    return payload ? decode(payload, ownerKey(owner)) : undefined;
  }

  /**
   * Shares a view for `ttlMs` (what is left of its window). False when it is too large to share or
   * the store did not take it: then it answers on this replica only.
   */
  async put(
    owner: string,
    resourceType: ResourceType | undefined,
    view: AccountView,
    ttlMs: number,
  ): Promise<'shared' | 'too large' | 'not taken'> {
    const payload = await encode(ownerKey(owner), resourceType, view);
    if (payload.length > this.maxBytes) return 'too large';
    const taken =
      (await this.store.set(viewKey(view.id), payload, ttlMs)) && (await this.store.set(latestKey(owner, resourceType), view.id, ttlMs));
    return taken ? 'shared' : 'not taken';
  }

  /**
   * Takes the scan of this owner's account for `ttlMs` (single flight across replicas): 'taken',
   * 'held' by another replica, or 'no store' when the store did not answer.
   */
  async claimScan(
    owner: string,
    resourceType: ResourceType | undefined,
    holder: string,
    ttlMs: number,
  ): Promise<'taken' | 'held' | 'no store'> {
    const taken = await this.store.claim(lockKey(owner, resourceType), holder, ttlMs);
    return taken === undefined ? 'no store' : taken ? 'taken' : 'held';
  }

  /** Keeps the scan's lock `ttlMs` more while the scan runs. */
  renewScan(owner: string, resourceType: ResourceType | undefined, holder: string, ttlMs: number): Promise<void> {
    return this.store.renew(lockKey(owner, resourceType), holder, ttlMs);
  }

  releaseScan(owner: string, resourceType: ResourceType | undefined, holder: string): Promise<void> {
    return this.store.release(lockKey(owner, resourceType), holder);
  }

  /** A small list of the owner's (Droplet or volume ids), shared for `ttlMs`. */
  async getList(owner: string, kind: string): Promise<string[] | undefined> {
    const payload = await this.store.get(listKey(owner, kind));
    if (!payload) return undefined;
    const parsed = z
      .array(z.string().max(64))
      .max(1_000_000)
      .safeParse(parseJson(payload.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  }

  async putList(owner: string, kind: string, ids: string[], ttlMs: number): Promise<void> {
    await this.store.set(listKey(owner, kind), JSON.stringify(ids), ttlMs);
  }
}

/** The owner as keys and values name it: a hash of the origin and the token's hash. */
function ownerKey(owner: string): string {
  return shortDigest(`view-owner|${owner}`, 32);
}

const typeName = (resourceType: ResourceType | undefined) => resourceType ?? 'all';
const latestKey = (owner: string, resourceType: ResourceType | undefined) =>
  `${KEY_PREFIX}latest:${ownerKey(owner)}:${typeName(resourceType)}`;
const lockKey = (owner: string, resourceType: ResourceType | undefined) => `${KEY_PREFIX}scan:${ownerKey(owner)}:${typeName(resourceType)}`;
const listKey = (owner: string, kind: string) => `${KEY_PREFIX}list:${ownerKey(owner)}:${kind}`;
// A view's id is random (account-views.ts), so this key names no owner; the value says whose it is.
const viewKey = (id: string) => `${KEY_PREFIX}view:${id}`;

/** One header line, then the snapshots as JSON arrays of CHUNK, one a line; gzip. */
async function encode(owner: string, resourceType: ResourceType | undefined, view: AccountView): Promise<Buffer> {
  const header = {
    format: FORMAT,
    owner,
    resourceType: resourceType ?? null,
    id: view.id,
    total: view.total,
    pagesFetched: view.pagesFetched,
    drift: view.drift ?? null,
    asOf: view.asOf,
    count: view.snapshots.length,
  };
  const lines = [JSON.stringify(header)];
  for (let start = 0; start < view.snapshots.length; start += CHUNK) {
    lines.push(JSON.stringify(view.snapshots.slice(start, start + CHUNK)));
    await turn();
  }
  return gzip(lines.join('\n'));
}

async function decode(payload: Buffer, owner: string): Promise<SharedView | undefined> {
  let text: string;
  try {
    text = (await gunzip(payload)).toString('utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const header = headerSchema.safeParse(parseJson(lines[0] ?? ''));
  if (!header.success || header.data.owner !== owner || lines.length - 1 !== Math.ceil(header.data.count / CHUNK)) return undefined;
  const snapshots: Snapshot[] = [];
  for (const line of lines.slice(1)) {
    const chunk = chunkSchema.safeParse(parseJson(line));
    if (!chunk.success) return undefined;
    snapshots.push(...chunk.data);
    await turn();
  }
  if (snapshots.length !== header.data.count) return undefined;
  const { id, total, pagesFetched, drift, asOf, resourceType } = header.data;
  return {
    view: { id, snapshots, total, pagesFetched, drift: drift ?? undefined, asOf },
    resourceType: resourceType ?? undefined,
    bytes: text.length,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
