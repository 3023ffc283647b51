import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { collectSnapshots } from '../digitalocean/paginate.js';
import { driftNote, formatSnapshotList, MAX_LIMIT } from '../format/snapshot-list.js';
import type { ToolContext } from './context.js';

export const LIST_SNAPSHOTS = 'list_snapshots';

const DESCRIPTION = `List the snapshots (Droplet and volume backups) in the DigitalOcean account, read-only.

Returns a compact text summary (a headline with how many were returned of how many exist and their total size in GB, then one line per snapshot: id | name | type | GB | regions | created | tags) and complete JSON in structuredContent: snapshots (id, name, created_at, regions, resource_id, resource_type, min_disk_size, size_gigabytes, tags), count, total, truncated, pages_fetched.

Pagination: the tool starts at API page \`page\` and follows the API's next-page links, per_page snapshots per request, until it has \`limit\` snapshots or the pages run out. It never returns more than \`limit\`. When truncated is true, the text says exactly which page to request next.

Narrow with resource_type ("droplet" or "volume"). Defaults (per_page=200, limit=100) suit most questions; raise limit (max ${MAX_LIMIT}) to see more in one call.`;

export const listSnapshotsInput = z.strictObject({
  resource_type: z
    .enum(['droplet', 'volume'])
    .optional()
    .describe('Only snapshots of this resource type: "droplet" (Droplet snapshots) or "volume" (volume snapshots). Omit for both.'),
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
    .describe('The API page (of per_page snapshots) to start from, 1-based. Use the page named in a truncated answer to continue.'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .default(100)
    .describe(`The most snapshots to return, 1 to ${MAX_LIMIT}. The tool fetches pages until it has this many or none are left.`),
});

const snapshotOutput = z.strictObject({
  id: z.string().describe('Snapshot id: digits for Droplet snapshots, a UUID for volume snapshots.'),
  name: z.string().describe('Human-readable snapshot name.'),
  created_at: z.string().describe('Creation time, ISO 8601.'),
  regions: z.array(z.string()).describe('Region slugs the snapshot is available in.'),
  resource_id: z.string().describe('Id of the Droplet or volume the snapshot was taken from.'),
  resource_type: z.string().describe('"droplet" or "volume".'),
  min_disk_size: z.number().describe('Minimum disk size in GB needed to use the snapshot.'),
  size_gigabytes: z.number().describe('Billable size in GB.'),
  tags: z.array(z.string()).nullable().describe('Tags; null when not visible (the token lacks tag:read).'),
});

export const listSnapshotsOutput = z.strictObject({
  snapshots: z.array(snapshotOutput).describe('The snapshots returned, in the API order.'),
  count: z.number().int().describe('Number of snapshots returned.'),
  total: z.number().int().describe("The API's meta.total: all snapshots of the requested resource_type in the account."),
  truncated: z.boolean().describe('True when more snapshots exist after the last one returned.'),
  pages_fetched: z.number().int().describe('API pages requested for this answer.'),
  warnings: z
    .array(z.string())
    .optional()
    .describe('Present when the answer may be inconsistent, e.g. snapshots were created or deleted while pages were read.'),
});

export function registerListSnapshots(server: McpServer, context: ToolContext): void {
  server.registerTool(
    LIST_SNAPSHOTS,
    {
      title: 'List DigitalOcean snapshots',
      description: DESCRIPTION,
      inputSchema: listSnapshotsInput,
      outputSchema: listSnapshotsOutput,
      annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: true, destructiveHint: false },
    },
    (args, extra) =>
      context.run(LIST_SNAPSHOTS, extra.signal, async (client, bounds) => {
        const request = { page: args.page, perPage: args.per_page, resourceType: args.resource_type, limit: args.limit };
        const result = await collectSnapshots(client, { ...request, ...bounds });
        const structuredContent: z.output<typeof listSnapshotsOutput> = {
          snapshots: result.snapshots,
          count: result.snapshots.length,
          total: result.total,
          truncated: result.truncated,
          pages_fetched: result.pagesFetched,
          ...(result.drift && { warnings: [driftNote(result.drift)] }),
        };
        return {
          content: [{ type: 'text', text: formatSnapshotList(result, request) }],
          structuredContent,
          summary: { snapshots: result.snapshots.length, pages: result.pagesFetched },
        };
      }),
  );
}
