import * as z from 'zod';

/**
 * Response shapes from DigitalOcean's OpenAPI description (resources/snapshots/models). Objects
 * strip unknown fields, so a new API field neither breaks parsing nor leaks into our output.
 */

/** The snapshot kinds the API lists and filters by (`resource_type`). */
export const RESOURCE_TYPES = ['droplet', 'volume'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** The nine snapshot fields, as answers carry them: the one definition of a snapshot. */
export const snapshotRecord = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  regions: z.array(z.string()),
  resource_id: z.string(),
  resource_type: z.string(),
  min_disk_size: z.number(),
  size_gigabytes: z.number(),
  tags: z.array(z.string()).nullable(),
});
export type Snapshot = z.output<typeof snapshotRecord>;

// RFC 3339, as the API writes it (format: date-time): digits and separators only.
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The time as the API should have written it: Date.parse also reads forms such as "(any words)
 * 2024-03-05", so a time in another form is written anew from its parsed value, and no text
 * rides in on a date.
 */
function canonicalTime(value: string): string {
  return RFC_3339.test(value) ? value : new Date(Date.parse(value)).toISOString().replace('.000Z', 'Z');
}

// 10 PB: far beyond any real disk or volume, and small enough that sums over the largest account
// this server reads stay finite.
const MAX_GIGABYTES = 10_000_000;

/** The token scopes the server's reads need (DigitalOcean's custom scopes, all read-only). */
export const scopeSchema = z.enum(['snapshot:read', 'tag:read', 'droplet:read', 'block_storage:read']);
export type Scope = z.output<typeof scopeSchema>;
export const SCOPES: Scope[] = scopeSchema.options;

/** Snapshot tags show only to a token with this scope (they are null without it). */
export const TAGS_SCOPE: Scope = 'tag:read';

/**
 * The same fields as read from the API, with what the spec promises checked; the time and the tags
 * are then made canonical (asSnapshot). Checks only, no per-field transform: zod parses a page of
 * plain checks several times faster, and a page is normalised in one pass.
 */
const snapshotFields = snapshotRecord.extend({
  id: z.string().min(1),
  min_disk_size: z.number().int().nonnegative().max(MAX_GIGABYTES),
  size_gigabytes: z.number().nonnegative().max(MAX_GIGABYTES),
  // Requires TAGS_SCOPE; the spec marks it nullable, and an absent field means the same.
  tags: z.array(z.string()).nullish(),
});
type SnapshotFields = z.output<typeof snapshotFields>;

/** Where an item read from a list fails a check that a schema does not express; its path is added. */
type Problem = (path: (string | number)[], message: string) => void;

/** A snapshot as the server holds it: created_at a real time, in RFC 3339; tags null when hidden. */
function asSnapshot(fields: SnapshotFields, problem: Problem): Snapshot {
  const valid = !Number.isNaN(Date.parse(fields.created_at));
  // Not a time: the page fails with this issue, and the value is left as it came.
  if (!valid) problem(['created_at'], 'expected an ISO 8601 date-time');
  // zod's output is a fresh object of the page's parse: made canonical in place, not copied again.
  const snapshot = fields as Omit<SnapshotFields, 'tags'> & { tags: string[] | null };
  if (valid) snapshot.created_at = canonicalTime(fields.created_at);
  snapshot.tags = fields.tags ?? null;
  return snapshot;
}

/** A response as read: its value, or what is wrong with it, each problem at its path. */
export type Read<T> = { success: true; data: T } | { success: false; error: z.ZodError };

/**
 * zod's checks, then one pass of our own that makes the value canonical and may find problems a
 * schema does not express, told at their paths as zod's own issues are. Not a zod transform: one
 * anywhere in a schema makes zod track every object of the parse (its support for cyclic data).
 */
function checked<R, T>(schema: z.ZodType<R>, finish: (read: R, problem: Problem) => T): (json: unknown) => Read<T> {
  return (json) => {
    const read = schema.safeParse(json);
    if (!read.success) return read;
    const issues: z.core.$ZodIssue[] = [];
    const data = finish(read.data, (path, message) => issues.push({ code: 'custom', message, input: undefined, path }));
    return issues.length === 0 ? { success: true, data } : { success: false, error: new z.ZodError(issues) };
  };
}

const pageLinksSchema = z.object({
  first: z.string().optional(),
  prev: z.string().optional(),
  next: z.string().optional(),
  last: z.string().optional(),
});
type PageLinks = z.output<typeof pageLinksSchema>;

// Every list answers with its items, `links.pages` (`links: {}` or no links at all on a single
// page) and `meta.total` (shared/meta.yml, shared/pages.yml).
const pageFields = {
  links: z.object({ pages: pageLinksSchema.optional() }).nullish(),
  meta: z.object({ total: z.number().int().nonnegative() }),
};

/** A Droplet as orphan detection needs it (resources/droplets/models/droplet.yml): its id is an integer. */
export const dropletSchema = z.object({ id: z.number().int().nonnegative(), name: z.string() });
/** A volume as orphan detection needs it (resources/volumes/models): its id is a UUID string. */
export const volumeSchema = z.object({ id: z.string().min(1), name: z.string() });

/** One page of a list, as read: its items, the total across pages, and its links. */
export interface PageOf<T> {
  items: T[];
  total: number;
  pages: PageLinks | undefined;
}

/** A list endpoint: where it is, what it lists, the scope it needs, and how to read one page of it. */
export interface Collection<T extends { id: string | number }> {
  path: string;
  /** What its items are called in messages. */
  noun: string;
  scope: Scope;
  /** Query parameters every page request carries. */
  query: Record<string, string>;
  readPage: (json: unknown) => Read<PageOf<T>>;
}

/** A list endpoint whose page holds its items under `key`, beside the shared `links` and `meta`. */
function collection<T extends { id: string | number }, R = T>(
  path: string,
  key: string,
  noun: string,
  scope: Scope,
  item: z.ZodType<R>,
  /** What an item becomes once checked, in the page's one pass; by default it is kept as read. */
  finish: (item: R, problem: Problem) => T = (read) => read as unknown as T,
): Collection<T> {
  const pageSchema = z.object({ [key]: z.array(item), ...pageFields }) as unknown as z.ZodType<
    { links?: { pages?: PageLinks } | null; meta: { total: number } } & Record<string, R[]>
  >;
  return {
    path,
    noun,
    scope,
    query: {},
    readPage: checked(pageSchema, (read, problem) => ({
      items: read[key]!.map((entry, i) => finish(entry, (path, message) => problem([key, i, ...path], message))),
      total: read.meta.total,
      pages: read.links?.pages,
    })),
  };
}

export const SNAPSHOTS: Collection<Snapshot> = collection(
  '/v2/snapshots',
  'snapshots',
  'snapshots',
  'snapshot:read',
  snapshotFields,
  asSnapshot,
);

export type Droplet = z.output<typeof dropletSchema>;
/** Droplets; the API lists GPU Droplets only when asked (droplets_list.yml, `type=gpus`). */
export const DROPLETS: Collection<Droplet> = collection('/v2/droplets', 'droplets', 'Droplets', 'droplet:read', dropletSchema);
export const GPU_DROPLETS: Collection<Droplet> = { ...DROPLETS, noun: 'GPU Droplets', query: { type: 'gpus' } };

export type Volume = z.output<typeof volumeSchema>;
export const VOLUMES: Collection<Volume> = collection('/v2/volumes', 'volumes', 'volumes', 'block_storage:read', volumeSchema);

export const readSingleSnapshot = checked(z.object({ snapshot: snapshotFields }), (read, problem) =>
  asSnapshot(read.snapshot, (path, message) => problem(['snapshot', ...path], message)),
);

/** The error body every endpoint documents (shared/models/error.yml); read leniently. */
export const apiErrorBodySchema = z.object({
  id: z.string().optional().catch(undefined),
  message: z.string().optional().catch(undefined),
  request_id: z.string().optional().catch(undefined),
});

/** "snapshots[3].size_gigabytes: expected number, received string" for the first few issues. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const lines = error.issues.slice(0, max).map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
      '',
    );
    return `${path || '(root)'}: ${issue.message}`;
  });
  const more = error.issues.length - max;
  return lines.join('; ') + (more > 0 ? `; and ${more} more` : '');
}
