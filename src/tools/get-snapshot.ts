import * as z from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import { DigitalOceanApiError } from '../digitalocean/errors.js';
import { apiText } from '../snapshots/clip.js';
import { formatSnapshot } from '../format/snapshot.js';
import { snapshotAnswer, type SnapshotAnswer } from '../snapshots/answers.js';
import { clipSnapshot, clipWarnings, type ClipReport } from '../snapshots/clip.js';
import { hundredths, monthlyCostUnits } from '../snapshots/pricing.js';
import { DAY_MS } from '../snapshots/query.js';
import { readOnlyTool, registerTool } from './definitions.js';
import { USER_DATA_NOTE, type ToolContext } from './context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = /^[0-9]{1,20}$/;

export const getSnapshotInput = z.strictObject({
  id: z
    .string()
    .trim()
    .refine(
      (id) => DIGITS.test(id) || UUID.test(id),
      'expected a snapshot id: digits for a Droplet snapshot, or a UUID for a volume snapshot',
    )
    // DigitalOcean writes UUIDs in lower case.
    .transform((id) => id.toLowerCase())
    .describe('Digits (Droplet snapshot) or a UUID (volume snapshot), as list_snapshots shows.'),
});

const DESCRIPTION = `One snapshot by id: size, monthly cost, age, regions, source Droplet or volume, min disk, tags. ${USER_DATA_NOTE}`;

export const getSnapshotTool = readOnlyTool({
  name: 'get_snapshot',
  title: 'Get one DigitalOcean snapshot',
  description: DESCRIPTION,
  inputSchema: getSnapshotInput,
  outputSchema: snapshotAnswer,
});

export function registerGetSnapshot(server: McpServer, context: ToolContext): void {
  registerTool(server, getSnapshotTool, ({ id }, ctx) =>
    context.run(
      getSnapshotTool.name,
      ctx.mcpReq.signal,
      async (account, bounds) => {
        // Always the API: one snapshot is one cheap request, and its answer is never stale.
        const snapshot = await (await account()).client.getSnapshot(id, bounds);
        const report: ClipReport = new Map();
        const shown = clipSnapshot(snapshot, report);
        const warnings = [...context.notices, ...clipWarnings(report)];
        const structuredContent: SnapshotAnswer = {
          snapshot: shown,
          monthly_cost_usd: hundredths(monthlyCostUnits(snapshot.size_gigabytes)),
          age_days: Math.max(0, Math.floor((Date.now() - Date.parse(snapshot.created_at)) / DAY_MS)),
          ...(warnings.length > 0 && { warnings }),
        };
        return { structuredContent, text: formatSnapshot(structuredContent), logFields: { id } };
      },
      (error) => explainMissing(error, id),
    ),
  );
}

function explainMissing(error: unknown, id: string): string | undefined {
  if (!(error instanceof DigitalOceanApiError)) return undefined;
  const requestId = error.body.request_id ? `; request_id ${apiText(error.body.request_id)}` : '';
  if (error.status === 404) {
    return (
      `No snapshot with id ${id} (HTTP 404${requestId}): it was deleted, or the id is wrong. ` +
      'list_snapshots finds ids: filter with name (e.g. name="web-*"), region or tag.'
    );
  }
  if (error.status === 400 && /not a snapshot/i.test(error.body.message ?? '')) {
    return (
      `${id} is not a snapshot (HTTP 400 "${apiText(error.body.message ?? '')}"${requestId}): it is probably a Droplet, volume or image id. ` +
      'list_snapshots shows snapshot ids; filter with name, region or tag to find the one you mean.'
    );
  }
  return undefined;
}
