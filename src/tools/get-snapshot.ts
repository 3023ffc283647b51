import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { DigitalOceanApiError } from '../digitalocean/errors.js';
import { formatSnapshot } from '../format/snapshot.js';
import type { ToolContext } from './context.js';
import { snapshotOutput } from './output-schemas.js';

export const GET_SNAPSHOT = 'get_snapshot';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = /^[0-9]{1,20}$/;

export const getSnapshotInput = z.strictObject({
  id: z
    .string()
    .trim()
    .refine((id) => DIGITS.test(id) || UUID.test(id), 'expected a snapshot id: digits for a Droplet snapshot, or a UUID for a volume snapshot')
    .describe('The snapshot id, as list_snapshots shows it: digits (e.g. "6372321") for a Droplet snapshot, a UUID for a volume snapshot.'),
});

export const getSnapshotOutput = z.strictObject({
  snapshot: snapshotOutput,
});

export function registerGetSnapshot(server: McpServer, context: ToolContext): void {
  server.registerTool(
    GET_SNAPSHOT,
    {
      title: 'Get one DigitalOcean snapshot',
      description:
        'One snapshot by id, read-only: name, type, size and estimated monthly cost, minimum disk size, creation time and age, regions, the Droplet or volume it came from, and tags. ' +
        'Ids come from list_snapshots (digits for Droplet snapshots, UUIDs for volume snapshots).',
      inputSchema: getSnapshotInput,
      outputSchema: getSnapshotOutput,
      annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: true, destructiveHint: false },
    },
    ({ id }, extra) =>
      context.run(
        GET_SNAPSHOT,
        extra.signal,
        async (client, bounds) => {
          const snapshot = await client.getSnapshot(id, bounds);
          return {
            content: [{ type: 'text', text: formatSnapshot(snapshot, Date.now()) }],
            structuredContent: { snapshot },
            summary: { id },
          };
        },
        (error) => explainMissing(error, id),
      ),
  );
}

function explainMissing(error: unknown, id: string): string | undefined {
  if (!(error instanceof DigitalOceanApiError)) return undefined;
  const requestId = error.body.request_id ? `; request_id ${error.body.request_id}` : '';
  if (error.status === 404) {
    return (
      `No snapshot with id ${id} (HTTP 404${requestId}): it was deleted, or the id is wrong. ` +
      'list_snapshots finds ids: filter with name (e.g. name="web-*"), region or tag.'
    );
  }
  if (error.status === 400 && /not a snapshot/i.test(error.body.message ?? '')) {
    return (
      `${id} is not a snapshot (HTTP 400 "${error.body.message}"${requestId}): it is probably a Droplet, volume or image id. ` +
      'list_snapshots shows snapshot ids; filter with name, region or tag to find the one you mean.'
    );
  }
  return undefined;
}
