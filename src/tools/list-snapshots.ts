import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { DigitalOceanClient, RequestContext } from '../digitalocean/client.js';
import { collectSnapshots, type CollectOptions, type CollectResult } from '../digitalocean/paginate.js';
import { driftNote, formatSnapshotList, MAX_LIMIT, TEXT_BUDGET_CHARS, type ListView } from '../format/snapshot-list.js';
import { CursorError, decodeCursor, describeQuery, encodeCursor, type CursorState } from '../snapshots/cursor.js';
import { compileFilter, filterProblems, isEmptyFilter, sortSnapshots, SORT_ORDERS, type SnapshotFilter } from '../snapshots/query.js';
import { summarize } from '../snapshots/summary.js';
import { ArgumentError, type ToolContext } from './context.js';
import { progressReporter } from './progress.js';
import { snapshotOutput, summaryOutput } from './output-schemas.js';

export const LIST_SNAPSHOTS = 'list_snapshots';

const DESCRIPTION = `List and summarise the snapshots (Droplet and volume backups) in the DigitalOcean account, read-only.

Answers questions like "which volume snapshots in fra1 are older than 90 days, and what do they cost a month?" in one call: filters (name, region, tag, created_after/created_before/older_than_days, min_size_gb/max_size_gb) and sort apply across every page, and then a summary of all matches comes back too: count, GB, estimated monthly cost ($0.06 per GB-month), by type and region, oldest, newest and largest. summary=true asks for that summary of the whole account without filters.

Without filters, sort or summary it pages through the API in its own order and stops as soon as it has \`limit\` snapshots (fast). With them it scans every page and says how many it scanned.

Returns compact text (headline, summary, one tab-separated line per snapshot) and complete JSON in structuredContent. When more exist, next_cursor is set: pass it as cursor with the same other arguments to get the next ones, nothing skipped or repeated.`;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
const isoInstant = (what: string) =>
  z
    .string()
    .regex(ISO_DATE, 'expected an ISO 8601 date (2024-01-31) or date-time with offset (2024-01-31T12:00:00Z)')
    .refine((value) => !Number.isNaN(Date.parse(value)), 'not a real date')
    .describe(`${what}. ISO 8601: a date (2024-01-31 means midnight UTC) or a date-time with offset (2024-01-31T12:00:00Z).`);

export const listSnapshotsInput = z.strictObject({
  resource_type: z
    .enum(['droplet', 'volume'])
    .optional()
    .describe('Only snapshots of this resource type: "droplet" (Droplet snapshots) or "volume" (volume snapshots). Omit for both. The API applies it.'),
  name: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('Only snapshots whose name matches, ignoring case. With * (any characters) or ? (one character) the whole name must match, e.g. "web-*"; without them, any name containing the text.'),
  region: z
    .string()
    .regex(/^[a-z0-9-]{2,20}$/i, 'expected a region slug such as fra1')
    .optional()
    .describe('Only snapshots available in this region (slug, e.g. "fra1", "nyc3").'),
  tag: z.string().min(1).max(255).optional().describe('Only snapshots with this tag (ignoring case). Needs the tag:read scope.'),
  created_after: isoInstant('Only snapshots created at or after this moment').optional(),
  created_before: isoInstant('Only snapshots created strictly before this moment').optional(),
  older_than_days: z
    .number()
    .int()
    .min(0)
    .max(36_500)
    .optional()
    .describe('Only snapshots created more than this many days ago (from now). Use instead of created_before.'),
  min_size_gb: z.number().min(0).max(1_000_000).optional().describe('Only snapshots of at least this many GB.'),
  max_size_gb: z.number().min(0).max(1_000_000).optional().describe('Only snapshots of at most this many GB.'),
  sort: z
    .enum(SORT_ORDERS)
    .optional()
    .describe('Order: created_desc (newest first), created_asc (oldest first), size_desc (largest first), name_asc (by name). Omit to keep the API order.'),
  summary: z
    .boolean()
    .default(false)
    .describe('Scan every page and summarise all matching snapshots (count, GB, monthly cost, by type and region, oldest/newest/largest), also without filters. Filters and sort always include it.'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .default(100)
    .describe(`The most snapshots to return, 1 to ${MAX_LIMIT}. The summary always covers every match.`),
  cursor: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe('next_cursor from a previous answer: continues right after its last snapshot. Keep the other arguments the same (limit, per_page and response_format may change).'),
  response_format: z
    .enum(['concise', 'detailed'])
    .default('concise')
    .describe('concise: one short line per snapshot. detailed: adds min disk size, full timestamps and the source resource id to each line. structuredContent is complete either way.'),
  per_page: z
    .number()
    .int()
    .min(1)
    .max(200)
    .default(200)
    .describe('Snapshots per API request, 1 to 200. The default 200 needs the fewest round trips.'),
  page: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(1)
    .describe("The API's own page (of per_page snapshots) to start from, for raw paging without filters, sort or summary. cursor takes precedence."),
});

type ListInput = z.output<typeof listSnapshotsInput>;

export const listSnapshotsOutput = z.strictObject({
  snapshots: z.array(snapshotOutput).describe('The snapshots returned: filtered and sorted when asked, else in API order.'),
  count: z.number().int().describe('Number of snapshots returned.'),
  total: z.number().int().describe("The API's meta.total: all snapshots of the requested resource_type in the account."),
  truncated: z.boolean().describe('True when more matching snapshots exist after the last one returned.'),
  pages_fetched: z.number().int().describe('API pages requested for this answer.'),
  next_cursor: z.string().optional().describe('Present when truncated: pass as cursor, with the same other arguments, for the next ones.'),
  summary: summaryOutput.optional().describe('Present when every page was scanned (filters, sort or summary=true): totals over all matches.'),
  warnings: z
    .array(z.string())
    .optional()
    .describe('Present when the answer may be inconsistent, e.g. snapshots were created or deleted while pages were read.'),
});
type ListOutput = z.output<typeof listSnapshotsOutput>;

export function registerListSnapshots(server: McpServer, context: ToolContext): void {
  server.registerTool(
    LIST_SNAPSHOTS,
    {
      title: 'List DigitalOcean snapshots',
      description: DESCRIPTION,
      inputSchema: listSnapshotsInput,
      outputSchema: listSnapshotsOutput,
      annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: true, destructiveHint: false },
      _meta: { 'anthropic/maxResultSizeChars': TEXT_BUDGET_CHARS },
    },
    (args, extra) =>
      context.run(LIST_SNAPSHOTS, extra.signal, async (client, bounds) => {
        const plan = planList(args);
        const reading = { ...bounds, onProgress: progressReporter(extra) };
        const answer = plan.scan ? await scanned(client, args, plan, reading) : await paged(client, args, plan, reading);
        const { view, notes } = answer;
        const warnings = [...(view.drift ? [driftNote(view.drift)] : []), ...notes];
        const structuredContent: ListOutput = {
          snapshots: view.snapshots,
          count: view.snapshots.length,
          total: view.total,
          truncated: view.truncated,
          pages_fetched: view.pagesFetched,
          ...(view.nextCursor !== undefined && { next_cursor: view.nextCursor }),
          ...(view.scan && { summary: view.scan.summary }),
          ...(warnings.length > 0 && { warnings }),
        };
        const text = [formatSnapshotList(view), ...notes].join('\n');
        return {
          content: [{ type: 'text', text }],
          structuredContent,
          summary: { snapshots: view.snapshots.length, pages: view.pagesFetched, scan: plan.scan },
        };
      }),
  );
}

interface ListPlan {
  filter: SnapshotFilter;
  /** Every page must be read: a filter, a sort or a summary was asked for. */
  scan: boolean;
  /** The arguments that define the list, as the cursor records them. */
  query: string;
  cursor: CursorState | undefined;
}

/** Validates what zod cannot see (combinations, the cursor) before any request is made. */
function planList(args: ListInput): ListPlan {
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

interface Answer {
  view: ListView;
  /** Cautions beyond list drift (which the view carries), shown after the list and in warnings. */
  notes: string[];
}

/** Raw paging in API order: stops as soon as `limit` snapshots are in hand. */
type Reading = RequestContext & Pick<CollectOptions, 'onProgress'>;

async function paged(client: DigitalOceanClient, args: ListInput, plan: ListPlan, bounds: Reading): Promise<Answer> {
  const start = plan.cursor?.offset ?? (args.page - 1) * args.per_page;
  const result = await collectSnapshots(client, {
    page: Math.floor(start / args.per_page) + 1,
    skip: start % args.per_page,
    perPage: args.per_page,
    resourceType: args.resource_type,
    limit: args.limit,
    ...bounds,
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
async function scanned(client: DigitalOceanClient, args: ListInput, plan: ListPlan, bounds: Reading): Promise<Answer> {
  const all = await collectSnapshots(client, {
    page: 1,
    perPage: args.per_page,
    resourceType: args.resource_type,
    limit: Number.POSITIVE_INFINITY,
    ...bounds,
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

function viewBase(args: ListInput, result: CollectResult) {
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
function filterArguments(args: ListInput) {
  const { name, region, tag, created_after, created_before, older_than_days, min_size_gb, max_size_gb } = args;
  return { name, region, tag, created_after, created_before, older_than_days, min_size_gb, max_size_gb };
}
