import type { DigitalOceanClient, RequestContext, ResourceType } from '../digitalocean/client.js';
import { collectSnapshots, type CollectOptions, type CollectResult } from '../digitalocean/paginate.js';
import type { ListView, ResponseFormat } from '../format/snapshot-list.js';
import { CursorError, decodeCursor, describeQuery, encodeCursor, type CursorState } from './cursor.js';
import { compileFilter, filterProblems, isEmptyFilter, sortSnapshots, type SnapshotFilter, type SortOrder } from './query.js';
import { summarize } from './summary.js';

/**
 * What list_snapshots does with its (already schema-checked) arguments: decide whether every
 * page must be read, read them, filter, sort, summarise, and place the cursor. No MCP here.
 */

export interface ListArguments {
  resource_type?: ResourceType | undefined;
  name?: string | undefined;
  region?: string | undefined;
  tag?: string | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
  older_than_days?: number | undefined;
  min_size_gb?: number | undefined;
  max_size_gb?: number | undefined;
  sort?: SortOrder | undefined;
  summary: boolean;
  limit: number;
  cursor?: string | undefined;
  response_format: ResponseFormat;
  per_page: number;
  page: number;
}

/** A call's arguments do not make sense together (beyond what the schema checks); told as is. */
export class ArgumentError extends Error {
  override name = 'ArgumentError';
}

export interface ListPlan {
  filter: SnapshotFilter;
  /** Every page must be read: a filter, a sort or a summary was asked for. */
  scan: boolean;
  /** The arguments that define the list, as the cursor records them. */
  query: string;
  cursor: CursorState | undefined;
}

export interface Listing {
  view: ListView;
  /** Cautions beyond list drift (which the view carries), shown after the list and in warnings. */
  notes: string[];
}

export type Reading = RequestContext & Pick<CollectOptions, 'onProgress'>;

/** Checks what the schema cannot (combinations, the cursor), before any request is made. */
export function planList(args: ListArguments): ListPlan {
  const problems: string[] = [];
  if (args.older_than_days !== undefined && args.created_before !== undefined) {
    problems.push('use either older_than_days or created_before, not both');
  }
  const filter: SnapshotFilter = {
    name: args.name,
    region: args.region,
    tag: args.tag,
    createdAfter: args.created_after === undefined ? undefined : Date.parse(args.created_after),
    createdBefore:
      args.created_before !== undefined
        ? Date.parse(args.created_before)
        : args.older_than_days !== undefined
          ? Date.now() - args.older_than_days * 86_400_000
          : undefined,
    minSizeGb: args.min_size_gb,
    maxSizeGb: args.max_size_gb,
  };
  problems.push(...filterProblems(filter));
  const scan = !isEmptyFilter(filter) || args.sort !== undefined || args.summary;
  if (scan && args.page > 1 && args.cursor === undefined) {
    problems.push("page is the API's own paging and does not combine with filters, sort or summary; use cursor (next_cursor) to continue");
  }
  if (problems.length > 0) throw new ArgumentError(problems.join('; '));

  const query = describeQuery({ resource_type: args.resource_type, ...filterArguments(args), sort: args.sort, scan: scan || undefined });
  let cursor: CursorState | undefined;
  try {
    cursor = args.cursor === undefined ? undefined : decodeCursor(args.cursor, query);
  } catch (error) {
    if (error instanceof CursorError) throw new ArgumentError(`cursor: ${error.message}`);
    throw error;
  }
  return { filter, scan, query, cursor };
}

/** Reads what the plan needs: the API's own pages, or every page for a scan. */
export function listSnapshots(client: DigitalOceanClient, args: ListArguments, plan: ListPlan, reading: Reading): Promise<Listing> {
  return plan.scan ? scanned(client, args, plan, reading) : paged(client, args, plan, reading);
}

/** Raw paging in API order: stops as soon as `limit` snapshots are in hand. */
async function paged(client: DigitalOceanClient, args: ListArguments, plan: ListPlan, reading: Reading): Promise<Listing> {
  const start = plan.cursor?.offset ?? (args.page - 1) * args.per_page;
  const result = await collectSnapshots(client, {
    page: Math.floor(start / args.per_page) + 1,
    skip: start % args.per_page,
    perPage: args.per_page,
    resourceType: args.resource_type,
    limit: args.limit,
    ...reading,
  });
  const end = result.continuation ? (result.continuation.page - 1) * args.per_page + result.continuation.skip : start + result.snapshots.length;
  const cursorAt = (offset: number, after: string | undefined) => encodeCursor(plan.query, { offset, after });
  const notes =
    plan.cursor?.after !== undefined && result.snapshots[0]?.id === plan.cursor.after
      ? ['The account changed since the previous answer: its last snapshot came again first here. Call without cursor for a fresh list.']
      : [];
  return {
    view: {
      ...viewBase(args, result),
      scan: undefined,
      page: Math.floor(start / args.per_page) + 1,
      offset: start,
      nextCursor: result.truncated ? cursorAt(end, result.snapshots.at(-1)?.id) : undefined,
      cursorAfter: (listed) => cursorAt(start + listed, result.snapshots[listed - 1]?.id),
    },
    notes,
  };
}

/** Every page, then filter, sort and summarise; the cursor finds its place by the last id it returned. */
async function scanned(client: DigitalOceanClient, args: ListArguments, plan: ListPlan, reading: Reading): Promise<Listing> {
  const all = await collectSnapshots(client, {
    page: 1,
    perPage: args.per_page,
    resourceType: args.resource_type,
    limit: Number.POSITIVE_INFINITY,
    ...reading,
  });
  const matches = all.snapshots.filter(compileFilter(plan.filter));
  const ordered = args.sort ? sortSnapshots(matches, args.sort) : matches;

  const notes: string[] = [];
  let start = 0;
  if (plan.cursor) {
    start = plan.cursor.offset;
    const anchor = plan.cursor.after;
    if (anchor !== undefined && ordered[start - 1]?.id !== anchor) {
      const found = ordered.findIndex((snapshot) => snapshot.id === anchor);
      if (found >= 0) start = found + 1;
      else notes.push(`The snapshot the cursor continued after (${anchor}) no longer matches or exists; continued by position.`);
    }
    start = Math.min(start, ordered.length);
  }
  const window = ordered.slice(start, start + args.limit);
  const truncated = start + window.length < ordered.length;
  const cursorAt = (listed: number) => encodeCursor(plan.query, { offset: start + listed, after: window[listed - 1]?.id });
  return {
    view: {
      ...viewBase(args, all),
      snapshots: window,
      truncated,
      scan: {
        scanned: all.snapshots.length,
        summary: summarize(matches),
        filters: describeQuery(filterArguments(args)).replaceAll(',', ', '),
        sort: args.sort,
      },
      page: 1,
      offset: start,
      nextCursor: truncated ? cursorAt(window.length) : undefined,
      cursorAfter: cursorAt,
    },
    notes,
  };
}

function viewBase(args: ListArguments, result: CollectResult) {
  return {
    snapshots: result.snapshots,
    total: result.total,
    truncated: result.truncated,
    pagesFetched: result.pagesFetched,
    drift: result.drift,
    resourceType: args.resource_type,
    perPage: args.per_page,
    limit: args.limit,
    format: args.response_format,
  };
}

/** The filter arguments as given: what a cursor records and what the headline repeats. */
function filterArguments(args: ListArguments) {
  const { name, region, tag, created_after, created_before, older_than_days, min_size_gb, max_size_gb } = args;
  return { name, region, tag, created_after, created_before, older_than_days, min_size_gb, max_size_gb };
}
