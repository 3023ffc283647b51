import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { driftNote, formatSnapshotList, MAX_LIMIT, TEXT_BUDGET_CHARS } from '../format/snapshot-list.js';
import { listSnapshots, planList } from '../snapshots/listing.js';
import { SORT_ORDERS } from '../snapshots/query.js';
import type { ToolContext } from './context.js';
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
        const { view, notes } = await listSnapshots(client, args, plan, { ...bounds, onProgress: progressReporter(extra) });
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
