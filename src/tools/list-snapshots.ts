import type { McpServer } from '@modelcontextprotocol/server';
import { formatSnapshotList, type ListPresentation } from '../format/snapshot-list.js';
import { listAnswer, listAnswerAcross, type ListAnswer } from '../snapshots/answers.js';
import { clipSnapshot, clipWarnings, shown, type ClipReport } from '../snapshots/clip.js';
import { acrossAccounts, coverage, isComplete } from './accounts.js';
import { listSnapshotsInput, MAX_LIMIT, type ListArguments } from '../snapshots/list-input.js';
import { listSnapshots, planList, type Listing } from '../snapshots/listing.js';
import { MINIMUM_MONTHLY_CHARGE_USD, PRICE_PER_GB_MONTH_USD } from '../snapshots/pricing.js';
import { clipSummary } from '../snapshots/summary.js';
import { ANSWER_BUDGET_CHARS, fitRows, type Answer } from './budget.js';
import { USER_DATA_NOTE, type ToolContext } from './context.js';
import { readOnlyTool, registerTool } from './definitions.js';
import { progressReporter } from './progress.js';

const DESCRIPTION =
  'DigitalOcean snapshots (Droplet and volume; not backups), read-only. Filters and sort span all pages and add a summary ' +
  'of all matches (so does summary=true): count, GB, monthly cost ' +
  `($${PRICE_PER_GB_MONTH_USD}/GB-month, $${MINIMUM_MONTHLY_CHARGE_USD} minimum), by type and region, oldest, newest, largest. ` +
  'Lists up to limit rows, fewer if the size budget runs out; next_cursor continues. ' +
  'Recent scans are reused (as_of says when); fresh=true rescans. ' +
  USER_DATA_NOTE;

export const listSnapshotsTool = readOnlyTool({
  name: 'list_snapshots',
  title: 'List DigitalOcean snapshots',
  description: DESCRIPTION,
  inputSchema: listSnapshotsInput,
  outputSchema: listAnswer,
});

export function registerListSnapshots(server: McpServer, context: ToolContext): void {
  const names = context.accountNames;
  const definition = names.length > 0 ? acrossAccounts(listSnapshotsTool, listAnswerAcross, names) : listSnapshotsTool;
  registerTool(server, definition, (args: ListArguments, ctx) =>
    context.run(listSnapshotsTool.name, ctx.mcpReq.signal, async (reach, bounds) => {
      const plan = planList(args);
      const listing = await listSnapshots(reach(args.account), args, plan, { ...bounds, onProgress: progressReporter(ctx) });
      const presentation = presentationOf(args, listing);
      const spanned = listing.spanned && context.statusOf(listing.spanned);
      const answer = fitRows(listing.window.length, (listed) => buildAnswer(listing, listed, presentation, context.notices, spanned));
      return { ...answer, logFields: { snapshots: answer.structuredContent.count, pages: listing.pagesFetched, scan: plan.scan } };
    }),
  );
}

/** Both halves of the answer that lists the window's first `listed` snapshots. */
function buildAnswer(
  listing: Listing,
  listed: number,
  how: ListPresentation,
  notices: string[],
  accounts: Record<string, string> | undefined,
): Answer<ListAnswer> {
  const report: ClipReport = new Map();
  const { accountOf } = listing;
  const snapshots = listing.window
    .slice(0, listed)
    .map((snapshot) =>
      accountOf
        ? { ...clipSnapshot(snapshot, report), account: shown(accountOf(snapshot), report, 'account') }
        : clipSnapshot(snapshot, report),
    );
  const summary = listing.scan && clipSummary(listing.scan.summary, report);
  const truncated = listed < listing.window.length || listing.more;
  const warnings = [...notices, ...coverage(accounts), ...listing.warnings];
  if (listed < listing.window.length) {
    warnings.push(
      `Only ${listed} of the ${listing.window.length} snapshots asked for fit this answer's size budget ` +
        `(${ANSWER_BUDGET_CHARS.toLocaleString('en-US')} characters); continue with the cursor for the rest.`,
    );
  }
  warnings.push(...clipWarnings(report));
  const structuredContent: ListAnswer = {
    snapshots,
    count: snapshots.length,
    total: listing.total,
    truncated,
    ...(truncated && { next_cursor: listing.cursorAfter(listed) }),
    pages_fetched: listing.pagesFetched,
    ...(listing.scan && { scanned: listing.scan.scanned, as_of: new Date(listing.scan.asOf).toISOString(), summary }),
    ...(accounts && { accounts, complete: isComplete(accounts) }),
    ...(warnings.length > 0 && { warnings }),
  };
  return { structuredContent, text: formatSnapshotList(structuredContent, how) };
}

function presentationOf(args: ListArguments, listing: Listing): ListPresentation {
  return {
    format: args.response_format,
    resourceType: args.resource_type,
    filters: listing.scan?.filters ?? '',
    sort: listing.scan?.sort,
    continued: args.cursor !== undefined,
    now: Date.now(),
    limit: args.limit,
    maxLimit: MAX_LIMIT,
  };
}
