import * as z from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import { DigitalOceanApiError } from '../digitalocean/errors.js';
import { apiText } from '../snapshots/clip.js';
import { formatSnapshot } from '../format/snapshot.js';
import { snapshotAnswer, snapshotAnswerAcross, type SnapshotAnswer } from '../snapshots/answers.js';
import { clipSnapshot, clipString, clipWarnings, type ClipReport } from '../snapshots/clip.js';
import { NoAccountAnswered, readEach, type NamedAccount } from '../snapshots/across.js';
import type { RequestContext } from '../digitalocean/client.js';
import type { Snapshot } from '../digitalocean/schemas.js';
import { acrossAccounts } from './accounts.js';
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
  const names = context.accountNames;
  const definition = names.length > 0 ? acrossAccounts(getSnapshotTool, snapshotAnswerAcross, names) : getSnapshotTool;
  registerTool(server, definition, ({ id, account: chosen }: z.output<typeof getSnapshotInput> & { account?: string }, ctx) => {
    return context.run(
      getSnapshotTool.name,
      ctx.mcpReq.signal,
      async (reach, bounds) => {
        // Always the API: one snapshot is one cheap request, and its answer is never stale.
        const { snapshot, account } = await findSnapshot(reach(chosen), id, bounds);
        const report: ClipReport = new Map();
        const shown = account ? { ...clipSnapshot(snapshot, report), account: clipString(account) } : clipSnapshot(snapshot, report);
        const warnings = [...context.notices, ...clipWarnings(report)];
        const structuredContent: SnapshotAnswer = {
          snapshot: shown,
          monthly_cost_usd: hundredths(monthlyCostUnits(snapshot.size_gigabytes)),
          age_days: Math.max(0, Math.floor((Date.now() - Date.parse(snapshot.created_at)) / DAY_MS)),
          ...(warnings.length > 0 && { warnings }),
        };
        return { structuredContent, text: formatSnapshot(structuredContent), logFields: { id } };
      },
      (error) => (error instanceof NotInAccounts ? notInAccounts(error, id, context.statusOf(error)) : explainMissing(error, id)),
    );
  });
}

/** The id is in none of the accounts asked (ids are unique across accounts), or some could not be asked. */
class NotInAccounts extends Error {
  override name = 'NotInAccounts';
  constructor(
    readonly names: string[],
    readonly failed: Map<string, unknown>,
  ) {
    super('the snapshot is in none of the accounts that answered');
  }
}

/**
 * The snapshot from whichever account has it: one account is asked alone (its failure is the
 * call's); several are asked at once, and an account that answers "not found" (or "not a snapshot")
 * simply does not have it.
 */
async function findSnapshot(
  accounts: NamedAccount[],
  id: string,
  bounds: RequestContext,
): Promise<{ snapshot: Snapshot; account: string }> {
  const { parts, failed } = await readEach(accounts, bounds.signal, async (account) => {
    try {
      return await account.client.getSnapshot(id, bounds);
    } catch (error) {
      if (accounts.length > 1 && explainMissing(error, id) !== undefined) return undefined;
      throw error;
    }
  }).catch((error: unknown) => {
    if (error instanceof NoAccountAnswered) return { parts: [], failed: error.failed };
    throw error;
  });
  const found = parts.find((part) => part.value !== undefined);
  if (found) return { snapshot: found.value!, account: found.name };
  throw new NotInAccounts(
    accounts.map((account) => account.name),
    failed,
  );
}

function notInAccounts(error: NotInAccounts, id: string, status: Record<string, string>): string {
  const asked = error.names.filter((name) => !error.failed.has(name));
  const missing = [...error.failed.keys()].map((name) => `- ${name}: ${status[name]}`);
  if (missing.length === 0) {
    return (
      `No snapshot with id ${id} in any of the accounts ${asked.join(', ')}: it was deleted, or the id is wrong. ` +
      'list_snapshots finds ids: filter with name (e.g. name="web-*"), region or tag.'
    );
  }
  const where =
    asked.length === 0 ? 'No account could be asked for' : `Not in ${asked.length === 1 ? 'account' : 'accounts'} ${asked.join(', ')}:`;
  const rest = missing.length === 1 ? 'the account that could not be asked' : 'one of the accounts that could not be asked';
  return `${where} snapshot ${id}; it may be in ${rest}:\n${missing.join('\n')}`;
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
