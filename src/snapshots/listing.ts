import type { DigitalOceanClient, RequestContext } from '../digitalocean/client.js';
import { accountsOfSnapshots, ALL_ACCOUNTS, combinedViewId, readEach, type AccountOf, type NamedAccount } from './across.js';
import { collectSnapshots, type CollectOptions, type ListDrift } from '../digitalocean/paginate.js';
import type { Account, AccountView, Scanner } from './account-views.js';
import { TAGS_SCOPE, type ResourceType, type Scope, type Snapshot } from '../digitalocean/schemas.js';
import { anchorOf, CursorError, decodeCursor, describeQuery, encodeCursor, type CursorState } from './cursor.js';
import { FILTER_KEYS, QUERY_KEYS, SCAN_PAGE_SIZE, type ListArguments, type SortOrder } from './list-input.js';
import { compileFilter, filterProblems, hasFilters, sortSnapshots } from './query.js';
import { filterPaced, findIndexPaced } from './pace.js';
import { summarize, type SnapshotSummary } from './summary.js';

/**
 * What list_snapshots does with its (already schema-checked) arguments: decide whether every
 * page must be read, read them, filter, sort, summarise, and place the cursor. No MCP, no text.
 */

/** A call's arguments do not make sense together (beyond what the schema checks); told as is. */
export class ArgumentError extends Error {
  override name = 'ArgumentError';
}

/** The token cannot see what the call asks about (e.g. tags without tag:read): no honest answer. */
export class MissingScopeError extends Error {
  override name = 'MissingScopeError';
  constructor(
    readonly scope: Scope,
    message: string,
  ) {
    super(message);
  }
}

export interface ListPlan {
  /** The filters as one predicate. */
  matches: (snapshot: Snapshot) => boolean;
  /** Every page must be read: a filter, a sort or a summary was asked for. */
  scan: boolean;
  /** The arguments that define the list, as the cursor records them. */
  query: string;
  cursor: CursorState | undefined;
}

export interface Listing {
  /** Up to `limit` snapshots, in answer order. An answer may list fewer. */
  window: Snapshot[];
  /** `meta.total` for the resource_type. */
  total: number;
  pagesFetched: number;
  /** More snapshots exist after the whole window. */
  more: boolean;
  /** Set when every page was scanned (filters, sort or summary). */
  scan: { scanned: number; summary: SnapshotSummary; filters: string; sort: SortOrder | undefined; asOf: number } | undefined;
  /** Sentences for the answer: the account changed while it was read, the cursor lost its place. */
  warnings: string[];
  /** The cursor that continues right after the window's first `listed` snapshots. */
  cursorAfter(listed: number): string;
  /** With named accounts: which account each snapshot is from. */
  accountOf: AccountOf;
  /** A call that spanned several accounts: their names, and why each that failed did. */
  spanned: { names: string[]; failed: Map<string, unknown> } | undefined;
}

export type Reading = RequestContext & Pick<CollectOptions, 'onProgress'>;

/** Checks what the schema cannot (combinations, the cursor), before any request is made. */
export function planList(args: ListArguments, now = Date.now()): ListPlan {
  const problems = filterProblems(args);
  // Totals without rows (limit 0) are a summary; so is every account at once (they share no paging).
  const scan = hasFilters(args) || args.sort !== undefined || args.summary || args.limit === 0 || args.account === ALL_ACCOUNTS;
  if (scan && args.page !== undefined && args.page > 1 && args.cursor === undefined) {
    const all = args.account === ALL_ACCOUNTS ? ', account "all" (give one account to page)' : '';
    problems.push(
      `page is the API's own paging and does not combine with filters, sort, summary, limit 0${all}; use cursor (next_cursor) to continue`,
    );
  }
  if (problems.length > 0) throw new ArgumentError(problems.join('; '));

  const query = describeQuery({ ...pick(args, QUERY_KEYS), ...pick(args, FILTER_KEYS), scan: scan || undefined });
  return { matches: compileFilter(args, now), scan, query, cursor: readCursor(args.cursor, query) };
}

/** The cursor a call was given, checked against the query it must continue; an argument error if not. */
export function readCursor(given: string | undefined, query: string): CursorState | undefined {
  try {
    return given === undefined ? undefined : decodeCursor(given, query);
  } catch (error) {
    if (error instanceof CursorError) throw new ArgumentError(`cursor: ${error.message}`);
    throw error;
  }
}

/**
 * Reads what the plan needs: the API's own pages of one account, or every page of each account for
 * a scan (several only for a scan: planList makes "all" one).
 */
export async function listSnapshots(accounts: NamedAccount[], args: ListArguments, plan: ListPlan, reading: Reading): Promise<Listing> {
  if (plan.scan) return scanned(accounts, args, plan, reading);
  const [only] = accounts as [NamedAccount];
  const listing = await paged((await only.open()).client, args, plan, reading);
  return { ...listing, accountOf: only.name === '' ? undefined : () => only.name };
}

/**
 * Raw paging in API order: stops as soon as `limit` snapshots are in hand. A continuation reads one
 * more, so that when the previous answer's last snapshot comes again first (snapshots were created
 * since), it is left out rather than listed twice.
 */
async function paged(
  client: DigitalOceanClient,
  args: ListArguments,
  plan: ListPlan,
  reading: Reading,
): Promise<Omit<Listing, 'accountOf'>> {
  // A cursor carries its own place; page starts at the API's page of that size.
  const start = plan.cursor?.offset ?? ((args.page ?? 1) - 1) * args.per_page;
  const anchor = plan.cursor?.anchor;
  const result = await collectSnapshots(client, {
    page: Math.floor(start / args.per_page) + 1,
    skip: start % args.per_page,
    perPage: args.per_page,
    resourceType: args.resource_type,
    limit: args.limit + (anchor === undefined ? 0 : 1),
    ...reading,
  });
  const warnings = driftWarnings(result.drift);
  const repeated = anchor !== undefined && result.snapshots[0] !== undefined && anchorOf(result.snapshots[0].id) === anchor;
  if (repeated) {
    warnings.push(
      'The account changed since the previous answer: its last snapshot came again first here, and is not listed twice. Call without cursor for a fresh list.',
    );
  }
  const skipped = repeated ? 1 : 0;
  const window = result.snapshots.slice(skipped, skipped + args.limit);
  return {
    window,
    total: result.total,
    pagesFetched: result.pagesFetched,
    more: result.truncated || result.snapshots.length > skipped + window.length,
    scan: undefined,
    warnings,
    cursorAfter: (listed) => cursorAt(plan, start + skipped + listed, window[listed - 1]),
    spanned: undefined,
  };
}

/**
 * Every page of each account (or a view of them from the last minute), then filter, sort and
 * summarise across them; the cursor continues exactly over the views it names, else finds its place
 * by the last id it returned. Across several accounts, one that fails leaves the others answered.
 */
async function scanned(accounts: NamedAccount[], args: ListArguments, plan: ListPlan, reading: Reading): Promise<Listing> {
  const { parts, failed } = await readEach(accounts, reading.signal, async (account) => {
    const view = await accountView(account, { resourceType: args.resource_type, fresh: args.fresh, view: plan.cursor?.view }, reading);
    if (args.tag !== undefined) requireVisibleTags(view.snapshots, 'a tag filter');
    return { view, matches: await filterPaced(view.snapshots, plan.matches, reading.signal) };
  });
  const matches = parts.length === 1 ? parts[0]!.value.matches : parts.flatMap((part) => part.value.matches);
  const accountOf = await accountsOfSnapshots(
    parts.map(({ name, value }) => ({ name, snapshots: value.matches })),
    reading.signal,
  );
  const ordered = args.sort ? await sortSnapshots(matches, args.sort, reading.signal) : matches;
  const viewId = combinedViewId(parts.map(({ name, value }) => ({ name, id: value.view.id })));

  const several = accounts.length > 1;
  const warnings = parts.flatMap(({ name, value }) => driftWarnings(value.view.drift, several ? name : undefined));
  const { start, warning } = await resume(ordered, plan.cursor, viewId, reading.signal);
  if (warning) warnings.push(warning);
  const window = ordered.slice(start, start + args.limit);
  const sum = (figure: (view: AccountView) => number) => parts.reduce((total, part) => total + figure(part.value.view), 0);
  const names = parts.map((part) => part.name);
  return {
    window,
    total: sum((view) => view.total),
    pagesFetched: sum((view) => view.pagesFetched),
    more: start + window.length < ordered.length,
    scan: {
      scanned: sum((view) => view.snapshots.length),
      summary: await summarize(matches, reading.signal, several && accountOf ? { names, of: accountOf } : undefined),
      filters: describeQuery(pick(args, FILTER_KEYS)).replaceAll(',', ', '),
      sort: args.sort,
      // The oldest of the views read: the answer is as of then.
      asOf: Math.min(...parts.map((part) => part.value.view.asOf)),
    },
    warnings,
    cursorAfter: (listed) => cursorAt(plan, start + listed, window[listed - 1], viewId),
    accountOf,
    spanned: several ? { names: accounts.map((account) => account.name), failed } : undefined,
  };
}

/** The account as a scan sees it: a live view (unless fresh is asked for), else a new scan. */
export async function accountView(
  account: Account,
  want: { resourceType: ResourceType | undefined; fresh: boolean; view: string | undefined },
  reading: Reading,
): Promise<AccountView> {
  const scanner: Scanner = (resourceType, bounds) =>
    collectSnapshots(account.client, { page: 1, perPage: SCAN_PAGE_SIZE, resourceType, limit: Number.POSITIVE_INFINITY, ...bounds });
  const { views, owner } = account;
  if (!views.enabled) {
    // No views kept, none shared: every call reads for itself.
    const result = await scanner(want.resourceType, reading);
    return {
      id: '',
      snapshots: result.snapshots,
      total: result.total,
      pagesFetched: result.pagesFetched,
      drift: result.drift,
      asOf: Date.now(),
    };
  }
  if (want.fresh) return views.scan(owner, want.resourceType, scanner, reading);
  // A view kept from an earlier call (here, or with replicas on another one) answers without a
  // request: this call fetched no page.
  const live = views.find(owner, want.resourceType, want.view);
  if (live) return { ...live, pagesFetched: 0 };
  const shared = await views.findShared(owner, want.resourceType, want.view, reading);
  if (shared.view) return { ...shared.view, pagesFetched: 0 };
  return views.scan(owner, want.resourceType, scanner, { ...reading, seenShared: shared.seen });
}

/**
 * Where a continuation starts in the ordered list: exactly at the cursor's offset over the view it
 * names; elsewhere right after the snapshot it last returned (a search that hashes ids, in
 * slices), or by position when that is gone.
 */
export async function resume(
  ordered: { id: string }[],
  cursor: CursorState | undefined,
  view: string,
  signal?: AbortSignal,
): Promise<{ start: number; warning?: string }> {
  if (!cursor) return { start: 0 };
  const { anchor, offset } = cursor;
  const before = ordered[offset - 1];
  if (cursor.view === view || anchor === undefined || (before && anchorOf(before.id) === anchor))
    return { start: Math.min(offset, ordered.length) };
  const found = await findIndexPaced(ordered, (item) => anchorOf(item.id) === anchor, signal);
  if (found >= 0) return { start: found + 1 };
  return {
    start: Math.min(offset, ordered.length),
    warning: 'The snapshot the cursor continued after no longer matches or exists; continued by position.',
  };
}

function cursorAt(plan: ListPlan, offset: number, last: Snapshot | undefined, view?: string): string {
  return encodeCursor(plan.query, { offset, anchor: last && anchorOf(last.id), view: view || undefined });
}

/** A tag filter over snapshots whose tags are hidden would answer "none match" falsely. */
export function requireVisibleTags(snapshots: Snapshot[], what: string): void {
  const hidden = snapshots.filter((snapshot) => snapshot.tags === null).length;
  if (hidden === 0) return;
  throw new MissingScopeError(
    TAGS_SCOPE,
    `DigitalOcean hid the tags of ${hidden} of the ${snapshots.length} snapshots scanned (tags: null), so ${what} cannot be answered truthfully`,
  );
}

/** Said when the account changed under a multi-page read, so the agent does not trust a stale view. */
function driftWarnings(drift: ListDrift | undefined, account?: string): string[] {
  if (!drift) return [];
  const where = account === undefined ? '' : ` in account ${account}`;
  const total =
    drift.totalBefore !== drift.totalAfter ? `meta.total went from ${drift.totalBefore} to ${drift.totalAfter}` : 'the pages shifted';
  const duplicates = drift.duplicatesRemoved > 0 ? `; ${drift.duplicatesRemoved} snapshot(s) seen twice were listed once` : '';
  return [
    `Snapshots were created or deleted${where} while this list was read (${total}${duplicates}); some may be missing. Call again for a consistent list.`,
  ];
}

function pick<K extends keyof ListArguments>(args: ListArguments, keys: readonly K[]): Pick<ListArguments, K> {
  return Object.fromEntries(keys.map((key) => [key, args[key]])) as Pick<ListArguments, K>;
}
