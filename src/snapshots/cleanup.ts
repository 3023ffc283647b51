import * as z from 'zod';
import type { RequestContext } from '../digitalocean/client.js';
import { DigitalOceanApiError, IncompleteListError } from '../digitalocean/errors.js';
import { collect } from '../digitalocean/paginate.js';
import {
  DROPLETS,
  GPU_DROPLETS,
  RESOURCE_TYPES,
  VOLUMES,
  type Collection,
  type ResourceType,
  type Scope,
  type Snapshot,
} from '../digitalocean/schemas.js';
import type { Account } from './account-views.js';
import { anchorOf, describeQuery, encodeCursor, type CursorState } from './cursor.js';
import { accountView, readCursor, requireVisibleTags, resume, type Reading } from './listing.js';
import { accountsOfSnapshots, combinedViewId, readEach, type AccountOf, type NamedAccount } from './across.js';
import { SCAN_PAGE_SIZE } from './list-input.js';
import { MAX_KEY_CHARS, shown } from './clip.js';
import { eachPaced, filterPaced, sortPaced } from './pace.js';
import { DAY_MS } from './query.js';
import { hundredths, monthlyCostUnits } from './pricing.js';
import { AccountTallies, apportion, costedTallySchema, count, Tallies } from './tally.js';

/**
 * plan_snapshot_cleanup: which snapshots could go and what that saves, read-only. Every rule only
 * keeps more: keep_last keeps each source's newest N, older_than_days keeps what is newer,
 * protect_tags keeps what carries a tag. A snapshot no given rule keeps is a candidate when it is
 * an orphan (its Droplet or volume is gone) or when keep_last or older_than_days was given;
 * `orphans` narrows that to orphans only, or to snapshots whose source still exists. No MCP, no text.
 */

/** What orphans (snapshots whose source is gone) are to the plan. */
export const orphansSchema = z.enum(['include', 'only', 'exclude']);
export type Orphans = z.output<typeof orphansSchema>;

export const cleanupInput = z.strictObject({
  keep_last: z.int().min(0).max(100).optional().describe("Keep each source's newest N."),
  older_than_days: z.int().min(1).max(3650).optional().describe('Keep what is newer.'),
  orphans: orphansSchema.default('include').describe('only: orphans alone; exclude: none.'),
  protect_tags: z.array(z.string().max(255)).max(50).optional(),
  resource_type: z.enum(RESOURCE_TYPES).optional(),
  // Self-explanatory fields carry no description: tools/list sits in every agent's context.
  limit: z.int().min(0).max(1000).default(100),
  cursor: z.string().max(4096).optional(),
});
/** With two or more accounts the tool takes `account` too (tools/accounts.ts), and the cursor records it. */
export type CleanupArguments = z.output<typeof cleanupInput> & { account?: string | undefined };

/** Why a snapshot could go. */
export const reasonSchema = z.enum(['orphaned', 'older_than', 'beyond_keep_last']);
export type Reason = z.output<typeof reasonSchema>;
/** Whether orphans of a type were looked for: the list of its sources read, refused for a scope, or not asked for. */
export const orphanCheckSchema = z.enum(['checked', 'not_permitted', 'skipped']);
export type OrphanCheck = z.output<typeof orphanCheckSchema>;
/** The age groups of the plan's breakdown. */
export const ageBucketSchema = z.enum(['under_30d', '30_90d', '90_365d', 'over_365d']);
export type AgeBucket = z.output<typeof ageBucketSchema>;

export interface Candidate {
  snapshot: Snapshot;
  /** The account it is in ('' when the server reads one account). */
  account: string;
  /** Its monthly cost: in ten-thousandths while planned, then as shown, in cents that add up to the plan's savings (apportion()). */
  cost: number;
  reasons: Reason[];
}

export interface CleanupPlan {
  /** Every candidate, by monthly cost (largest first), then id. */
  candidates: Candidate[];
  savings: number;
  /** The snapshots the plan looked at (after resource_type). */
  scanned: Snapshot[];
  orphanCheck: Record<ResourceType, OrphanCheck>;
  warnings: string[];
}

/** The ids of the Droplets and volumes that exist, or undefined where the list was not read. */
export interface LiveSources {
  droplet: Set<string> | undefined;
  volume: Set<string> | undefined;
  /** The list could not be read for want of a scope. */
  refused: Partial<Record<ResourceType, Scope>>;
}

/** One account's snapshots and the sources that exist in it: orphans are judged within their own account. */
export interface PlanGroup {
  name: string;
  snapshots: Snapshot[];
  live: LiveSources;
}

/** DigitalOcean keeps at most 25 snapshots of a volume. */
const VOLUME_SNAPSHOT_LIMIT = 25;
const VOLUME_WARNING_AT = 20;

/**
 * The plan over the accounts' snapshots, in slices (pace.ts); `now` anchors older_than_days. Each
 * account's candidates are found with its own sources; the savings are rounded once, over all.
 */
export async function planAcross(groups: PlanGroup[], args: CleanupArguments, now: number, signal?: AbortSignal): Promise<CleanupPlan> {
  const scannedIn = await Promise.all(
    groups.map(({ snapshots }) =>
      args.resource_type ? filterPaced(snapshots, (snapshot) => snapshot.resource_type === args.resource_type, signal) : snapshots,
    ),
  );
  const candidates: Candidate[] = [];
  for (const [i, group] of groups.entries()) await findCandidates(scannedIn[i]!, group, args, now, candidates, signal);
  // The savings rounded once; each candidate's cost in cents that add up to them.
  const savings = hundredths(candidates.reduce((sum, candidate) => sum + candidate.cost, 0));
  const shown = await apportion(
    candidates.map((candidate) => candidate.cost),
    savings,
    signal,
  );
  candidates.forEach((candidate, i) => {
    candidate.cost = shown[i]!;
  });
  // By the cost as the answer states it, then id: the order a reader can check.
  const ordered = await sortPaced(
    candidates,
    (a, b) => b.cost - a.cost || (a.snapshot.id < b.snapshot.id ? -1 : a.snapshot.id > b.snapshot.id ? 1 : 0),
    signal,
  );
  const scanned = groups.length === 1 ? scannedIn[0]! : scannedIn.flat();
  return {
    candidates: ordered,
    savings,
    scanned,
    orphanCheck: orphanChecks(groups, args),
    warnings: warningsFor(candidates, scanned, groups, args),
  };
}

/** One account's candidates, added to `candidates` with their cost in ten-thousandths. */
async function findCandidates(
  scanned: Snapshot[],
  { name, live }: PlanGroup,
  args: CleanupArguments,
  now: number,
  candidates: Candidate[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const protectedTags = new Set((args.protect_tags ?? []).map((tag) => tag.toLowerCase()));
  const isProtected = (snapshot: Snapshot) =>
    protectedTags.size > 0 && (snapshot.tags ?? []).some((tag) => protectedTags.has(tag.toLowerCase()));
  const keptAsNewest =
    args.keep_last === undefined
      ? new Set<Snapshot>()
      : await newestOfEachSource(await filterPaced(scanned, (snapshot) => !isProtected(snapshot), signal), args.keep_last, signal);
  const cutoff = args.older_than_days === undefined ? undefined : now - args.older_than_days * DAY_MS;
  const byRule = args.keep_last !== undefined || cutoff !== undefined;
  await eachPaced(
    scanned,
    (snapshot) => {
      if (isProtected(snapshot) || keptAsNewest.has(snapshot)) return;
      if (cutoff !== undefined && Date.parse(snapshot.created_at) >= cutoff) return;
      // Never a lookup by the API's string: a type named __proto__ must not reach Object.prototype.
      const sources = snapshot.resource_type === 'droplet' ? live.droplet : snapshot.resource_type === 'volume' ? live.volume : undefined;
      // Unknown where the sources could not be listed: neither an orphan nor known to have a source.
      const orphaned = sources === undefined ? undefined : !sources.has(snapshot.resource_id);
      if (args.orphans === 'only' ? orphaned !== true : args.orphans === 'exclude' ? orphaned !== false : false) return;
      if (orphaned !== true && !byRule) return;
      const reasons: Reason[] = [];
      if (orphaned === true && args.orphans !== 'exclude') reasons.push('orphaned');
      if (cutoff !== undefined) reasons.push('older_than');
      if (args.keep_last !== undefined) reasons.push('beyond_keep_last');
      candidates.push({ snapshot, account: name, cost: monthlyCostUnits(snapshot.size_gigabytes), reasons });
    },
    signal,
  );
}

/**
 * Where the money goes among the snapshots scanned: by type and by age (partitions, with cost),
 * and count and GB by region (a snapshot in several regions counts in each; DigitalOcean charges
 * nothing for more regions, so region costs would not add up and are not given).
 */
export async function breakdown(
  scanned: Snapshot[],
  now: number,
  signal?: AbortSignal,
  /** Across several named accounts: each one's part too. */
  accounts?: { names: string[]; of: NonNullable<AccountOf> },
) {
  const tallies = new AccountTallies(accounts);
  const byAge = new Tallies(true, ageBucketSchema.options);
  await eachPaced(
    scanned,
    (snapshot) => {
      const { gb, cost } = tallies.add(snapshot);
      byAge.add(ageBucket((now - Date.parse(snapshot.created_at)) / DAY_MS), gb, cost);
    },
    signal,
  );
  // Types and ages each partition what was scanned: both add up to the same totals.
  const { totals } = tallies;
  return {
    by_type: await tallies.byType.costed(totals),
    by_age: await byAge.costed(totals),
    by_region: await tallies.byRegion.counted(),
    ...(tallies.byAccount && { by_account: await tallies.byAccount.costed(totals) }),
  };
}

function ageBucket(days: number): AgeBucket {
  return days < 30 ? 'under_30d' : days < 90 ? '30_90d' : days < 365 ? '90_365d' : 'over_365d';
}

/** The newest `keep` snapshots of each source (by created_at; on a tie, the larger id is newer). */
async function newestOfEachSource(snapshots: Snapshot[], keep: number, signal: AbortSignal | undefined): Promise<Set<Snapshot>> {
  const bySource = new Map<string, { snapshot: Snapshot; created: number }[]>();
  await eachPaced(
    snapshots,
    (snapshot) => {
      const key = `${snapshot.resource_type}:${snapshot.resource_id}`;
      const entry = { snapshot, created: Date.parse(snapshot.created_at) };
      const group = bySource.get(key);
      if (group) group.push(entry);
      else bySource.set(key, [entry]);
    },
    signal,
  );
  const kept = new Set<Snapshot>();
  const newestFirst = (a: { snapshot: Snapshot; created: number }, b: { snapshot: Snapshot; created: number }) =>
    b.created - a.created || (a.snapshot.id < b.snapshot.id ? 1 : a.snapshot.id > b.snapshot.id ? -1 : 0);
  await eachPaced(
    [...bySource.values()],
    (group) => {
      for (const { snapshot } of group.sort(newestFirst).slice(0, keep)) kept.add(snapshot);
    },
    signal,
  );
  return kept;
}

/** Per type: checked only where every account's list of its sources was read. */
function orphanChecks(groups: PlanGroup[], args: CleanupArguments): Record<ResourceType, OrphanCheck> {
  const check = (type: ResourceType): OrphanCheck =>
    args.resource_type !== undefined && args.resource_type !== type
      ? 'skipped'
      : groups.every(({ live }) => live[type])
        ? 'checked'
        : 'not_permitted';
  return { droplet: check('droplet'), volume: check('volume') };
}

// Volumes named in the warning about full volumes; the rest are counted.
const FULLEST_NAMED = 3;

/** A few sentences whatever the account: what each is about is aggregated, never one per item. */
function warningsFor(candidates: Candidate[], scanned: Snapshot[], groups: PlanGroup[], args: CleanupArguments): string[] {
  const warnings: string[] = [];
  if (args.orphans === 'exclude' && args.keep_last === undefined && args.older_than_days === undefined) {
    warnings.push('No rule was given: with orphans="exclude", give keep_last or older_than_days to say what could go.');
  }
  for (const type of RESOURCE_TYPES) {
    const refusing = groups.filter(({ live }) => live.refused[type] !== undefined);
    if (refusing.length === 0) continue;
    const scope = refusing[0]!.live.refused[type]!;
    const what = type === 'droplet' ? 'Droplet' : 'volume';
    // Across accounts, the ones whose tokens lack it are named.
    const names = refusing.map(({ name }) => name).join(', ');
    const whose = groups.length > 1 ? ` of ${names}` : '';
    const tokens = refusing.length > 1 ? `The tokens${whose} lack` : `The token${whose} lacks`;
    const consequence =
      args.orphans === 'exclude'
        ? `no ${what} snapshot${whose} is proposed (orphans="exclude" needs to know which are orphans)`
        : `no ${what} snapshot${whose} is called orphaned`;
    warnings.push(
      `${tokens} the ${scope} scope, so DigitalOcean would not list the ${what}s: ${consequence}. Add ${scope} to ${refusing.length > 1 ? 'those tokens' : 'the token'} to check them.`,
    );
  }
  if (candidates.some((candidate) => candidate.reasons.includes('orphaned'))) {
    warnings.push(
      'Orphans may be deliberate archives (a snapshot, then destroying the Droplet, is a common way to park one): confirm with the user before deleting any.',
    );
  }
  const full = fullVolumes(scanned);
  if (full.length === 1) {
    const [volume, count] = full[0]!;
    warnings.push(
      `Volume ${volume} holds ${count} of its limit of ${VOLUME_SNAPSHOT_LIMIT} snapshots: new ones will fail at ${VOLUME_SNAPSHOT_LIMIT}.`,
    );
  } else if (full.length > 1) {
    const named = full
      .slice(0, FULLEST_NAMED)
      .map(([volume, count]) => `${volume} (${count})`)
      .join(', ');
    warnings.push(
      `${full.length} volumes hold ${VOLUME_WARNING_AT} or more of their limit of ${VOLUME_SNAPSHOT_LIMIT} snapshots: new ones will fail at ${VOLUME_SNAPSHOT_LIMIT}. ` +
        `The fullest: ${named}.`,
    );
  }
  return warnings;
}

/** Volumes with VOLUME_WARNING_AT or more snapshots, fullest first (then by id), ids clipped. */
function fullVolumes(scanned: Snapshot[]): [string, number][] {
  const perVolume = new Map<string, number>();
  for (const snapshot of scanned)
    if (snapshot.resource_type === 'volume') perVolume.set(snapshot.resource_id, (perVolume.get(snapshot.resource_id) ?? 0) + 1);
  return [...perVolume]
    .filter(([, count]) => count >= VOLUME_WARNING_AT)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([volume, count]) => [shown(volume, undefined, 'resource_id', MAX_KEY_CHARS), count]);
}

/**
 * The Droplets (GPU ones too: the API lists them only when asked) and volumes that exist, read
 * concurrently in full. A list refused for a missing scope (403) is left out and named; any other
 * failure fails the plan: never a plan built on a list that was not read.
 */
export async function readLiveSources(
  account: Account,
  needed: Record<ResourceType, boolean>,
  reading: RequestContext,
): Promise<LiveSources> {
  const options = { page: 1, perPage: SCAN_PAGE_SIZE, limit: Number.POSITIVE_INFINITY, ...reading };
  const read = async <T extends { id: string | number }>(collection: Collection<T>) =>
    (await collect(account.client, collection, options)).items;
  // The ids the collections list, or the scope the token lacks to list them.
  const ids = async (...collections: Collection<{ id: string | number }>[]): Promise<Set<string> | Scope> => {
    try {
      return new Set((await Promise.all(collections.map(read))).flat().map((item) => String(item.id)));
    } catch (error) {
      const cause = error instanceof IncompleteListError ? error.cause : error;
      if (cause instanceof DigitalOceanApiError && cause.status === 403) return collections[0]!.scope;
      throw error;
    }
  };
  // Kept with the account's views: a conversation's plans read each list once a minute.
  const { views, owner } = account;
  const [droplet, volume] = await Promise.all([
    needed.droplet ? views.ids(owner, 'droplets', () => ids(DROPLETS, GPU_DROPLETS)) : undefined,
    needed.volume ? views.ids(owner, 'volumes', () => ids(VOLUMES)) : undefined,
  ]);
  const refused: LiveSources['refused'] = {};
  if (typeof droplet === 'string') refused.droplet = droplet;
  if (typeof volume === 'string') refused.volume = volume;
  return { droplet: droplet instanceof Set ? droplet : undefined, volume: volume instanceof Set ? volume : undefined, refused };
}

export interface CleanupReading {
  plan: CleanupPlan;
  /** Where the money goes among the snapshots scanned (breakdown()); across accounts, what each could save too. */
  parts: Omit<Awaited<ReturnType<typeof breakdown>>, 'by_account'> & { by_account?: Record<string, AccountPart> };
  /** Position of the first candidate of this answer, and the rest of the candidates from there. */
  offset: number;
  asOf: number;
  pagesFetched: number;
  /** The cursor that continues after the first `listed` candidates from `offset`. */
  cursorAfter(listed: number): string;
  /** A plan that spanned several accounts: their names, and why each that failed did. */
  spanned: { names: string[]; failed: Map<string, unknown> } | undefined;
}

/** An account's part of a plan across accounts: what it holds, and what of it could go. */
export const accountPartSchema = costedTallySchema.extend({ candidates: count(), monthly_savings_usd: z.number() });
export type AccountPart = z.output<typeof accountPartSchema>;

/**
 * Each account's candidates and savings beside what it holds. Candidates' costs are in cents that
 * add up to the plan's savings, so the accounts' savings add up to them exactly.
 */
function withSavings(parts: Awaited<ReturnType<typeof breakdown>>, candidates: Candidate[]): CleanupReading['parts'] {
  const { by_account: held, ...rest } = parts;
  if (!held) return rest;
  const going = new Map<string, { count: number; cents: number }>();
  for (const { account, cost } of candidates) {
    const sum = going.get(account) ?? { count: 0, cents: 0 };
    sum.count += 1;
    sum.cents += Math.round(cost * 100);
    going.set(account, sum);
  }
  const byAccount = Object.fromEntries(
    Object.entries(held).map(([name, tally]) => [
      name,
      { ...tally, candidates: going.get(name)?.count ?? 0, monthly_savings_usd: (going.get(name)?.cents ?? 0) / 100 },
    ]),
  );
  return { ...rest, by_account: byAccount };
}

export interface CleanupQuery {
  query: string;
  cursor: CursorState | undefined;
}

/** What the arguments ask for, and the cursor checked against it: before the token, before any request. */
export function cleanupQuery(args: CleanupArguments): CleanupQuery {
  const query = describeQuery({
    keep_last: args.keep_last,
    older_than_days: args.older_than_days,
    orphans: args.orphans,
    protect_tags: args.protect_tags
      ?.map((tag) => tag.toLowerCase())
      .sort()
      .join('|'),
    resource_type: args.resource_type,
    account: args.account,
    plan: true,
  });
  return { query, cursor: readCursor(args.cursor, query) };
}

/**
 * Reads each account's snapshots (or their view) and live lists at once, and plans across them;
 * across several accounts, one that fails leaves the others planned.
 */
export async function readCleanup(
  accounts: NamedAccount[],
  args: CleanupArguments,
  { query, cursor }: CleanupQuery,
  reading: Reading,
  now = Date.now(),
): Promise<CleanupReading> {
  const needed = { droplet: args.resource_type !== 'volume', volume: args.resource_type !== 'droplet' };
  const { parts, failed } = await readEach(accounts, reading.signal, async (account) => {
    const [view, live] = await Promise.all([
      // A plan reuses the account's recent scan like list_snapshots does; list_snapshots' fresh=true renews it.
      accountView(account, { resourceType: args.resource_type, fresh: false, view: cursor?.view }, reading),
      readLiveSources(account, needed, reading),
    ]);
    if (args.protect_tags !== undefined) requireVisibleTags(view.snapshots, 'protect_tags');
    return { view, live };
  });
  const plan = await planAcross(
    parts.map(({ name, value }) => ({ name, snapshots: value.view.snapshots, live: value.live })),
    args,
    now,
    reading.signal,
  );
  const several = accounts.length > 1;
  const ordered = plan.candidates.map((candidate) => candidate.snapshot);
  const viewId = combinedViewId(parts.map(({ name, value }) => ({ name, id: value.view.id })));
  const { start, warning } = await resume(ordered, cursor, viewId, reading.signal);
  if (warning) plan.warnings.push(warning);
  const names = parts.map((part) => part.name);
  const accountOf = several
    ? await accountsOfSnapshots(
        parts.map(({ name, value }) => ({ name, snapshots: value.view.snapshots })),
        reading.signal,
      )
    : undefined;
  return {
    plan,
    parts: withSavings(await breakdown(plan.scanned, now, reading.signal, accountOf && { names, of: accountOf }), plan.candidates),
    offset: start,
    asOf: Math.min(...parts.map((part) => part.value.view.asOf)),
    pagesFetched: parts.reduce((total, part) => total + part.value.view.pagesFetched, 0),
    cursorAfter: (listed) => {
      const last = ordered[start + listed - 1];
      return encodeCursor(query, { offset: start + listed, anchor: last && anchorOf(last.id), view: viewId || undefined });
    },
    spanned: several ? { names: accounts.map((account) => account.name), failed } : undefined,
  };
}
