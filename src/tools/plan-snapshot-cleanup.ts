import type { McpServer } from '@modelcontextprotocol/server';
import { COST_REVIEW_META } from '../app/cost-review.js';
import { formatCleanupPlan, type CleanupPresentation } from '../format/cleanup.js';
import { cleanupAnswer, cleanupAnswerAcross, type CleanupAnswer } from '../snapshots/answers.js';
import { acrossAccounts, coverage, isComplete } from './accounts.js';
import { cleanupInput, cleanupQuery, readCleanup, type CleanupArguments, type CleanupReading } from '../snapshots/cleanup.js';
import { clipWarnings, MAX_KEY_CHARS, shown, type ClipReport } from '../snapshots/clip.js';
import { clipTallies, MAX_REGIONS, MAX_TYPES } from '../snapshots/summary.js';
import { ANSWER_BUDGET_CHARS, fitRows, type Answer } from './budget.js';
import { USER_DATA_NOTE, type ToolContext } from './context.js';
import { readOnlyTool, registerTool } from './definitions.js';
import { progressReporter } from './progress.js';

const DESCRIPTION =
  'Proposes deletions, why, and the monthly saving; read-only. Rules only keep more; what none keeps goes ' +
  'if orphaned (source gone) or if keep_last or older_than_days is set. Confirm with the user first. ' +
  USER_DATA_NOTE;

export const planSnapshotCleanupTool = readOnlyTool(
  {
    name: 'plan_snapshot_cleanup',
    title: 'Plan a snapshot cleanup',
    description: DESCRIPTION,
    inputSchema: cleanupInput,
    outputSchema: cleanupAnswer,
  },
  // Hosts with MCP Apps show the plan as the cost review view.
  COST_REVIEW_META,
);

export function registerPlanSnapshotCleanup(server: McpServer, context: ToolContext): void {
  const names = context.accountNames;
  const definition = names.length > 0 ? acrossAccounts(planSnapshotCleanupTool, cleanupAnswerAcross, names) : planSnapshotCleanupTool;
  registerTool(server, definition, (args: CleanupArguments, ctx) =>
    context.run(planSnapshotCleanupTool.name, ctx.mcpReq.signal, async (reach, bounds) => {
      const now = Date.now();
      const query = cleanupQuery(args);
      const reading = await readCleanup(reach(args.account), args, query, { ...bounds, onProgress: progressReporter(ctx) }, now);
      const rows = Math.min(args.limit, reading.plan.candidates.length - reading.offset);
      const how: CleanupPresentation = { continued: args.cursor !== undefined, now };
      const accounts = reading.spanned && context.statusOf(reading.spanned);
      const answer = fitRows(rows, (listed) => buildAnswer(args, reading, listed, rows, how, context.notices, accounts));
      const { total_candidates, monthly_savings_usd } = answer.structuredContent;
      return { ...answer, logFields: { candidates: total_candidates, savings: monthly_savings_usd, scanned: reading.plan.scanned.length } };
    }),
  );
}

function buildAnswer(
  args: CleanupArguments,
  reading: CleanupReading,
  listed: number,
  asked: number,
  how: CleanupPresentation,
  notices: string[],
  accounts: Record<string, string> | undefined,
): Answer<CleanupAnswer> {
  const { plan, offset, parts } = reading;
  const report: ClipReport = new Map();
  const text = (value: string, field: string) => shown(value, report, field);
  const candidates = plan.candidates.slice(offset, offset + listed).map(({ snapshot, account, cost, reasons }) => ({
    ...(account && { account: text(account, 'account') }),
    id: text(snapshot.id, 'id'),
    name: text(snapshot.name, 'name'),
    resource_type: text(snapshot.resource_type, 'resource_type'),
    resource_id: text(snapshot.resource_id, 'resource_id'),
    created_at: text(snapshot.created_at, 'created_at'),
    size_gigabytes: snapshot.size_gigabytes,
    monthly_cost_usd: cost,
    reasons,
  }));
  const more = offset + listed < plan.candidates.length;
  const warnings = [...notices, ...coverage(accounts), ...plan.warnings];
  if (listed < asked) {
    warnings.push(
      `Only ${listed} of the candidates asked for fit this answer's size budget (${ANSWER_BUDGET_CHARS.toLocaleString('en-US')} characters); continue with the cursor for the rest.`,
    );
  }
  const { orphans, keep_last, older_than_days, protect_tags, resource_type } = args;
  const structuredContent: CleanupAnswer = {
    rules: {
      orphans,
      ...(keep_last !== undefined && { keep_last }),
      ...(older_than_days !== undefined && { older_than_days }),
      ...(protect_tags !== undefined && { protect_tags: protect_tags.map((tag) => shown(tag, report, 'protect_tags', MAX_KEY_CHARS)) }),
      ...(resource_type !== undefined && { resource_type }),
    },
    candidates,
    count: candidates.length,
    total_candidates: plan.candidates.length,
    monthly_savings_usd: plan.savings,
    ...(more && { next_cursor: reading.cursorAfter(listed) }),
    scanned: plan.scanned.length,
    as_of: new Date(reading.asOf).toISOString(),
    orphan_check: plan.orphanCheck,
    breakdown: {
      by_type: clipTallies(parts.by_type, MAX_TYPES, report, 'breakdown types'),
      by_age: parts.by_age,
      by_region: clipTallies(parts.by_region, MAX_REGIONS, report, 'breakdown regions'),
      ...(parts.by_account && { by_account: parts.by_account }),
    },
    ...(accounts && { accounts, complete: isComplete(accounts) }),
    warnings,
  };
  warnings.push(...clipWarnings(report));
  return { structuredContent, text: formatCleanupPlan(structuredContent, how) };
}
