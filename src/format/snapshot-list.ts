import type { ListAnswer } from '../snapshots/answers.js';
import type { ResponseFormat, SortOrder } from '../snapshots/list-input.js';
import type { SnapshotSummary } from '../snapshots/summary.js';
import type { Tally } from '../snapshots/tally.js';
import { hundredths, units } from '../snapshots/pricing.js';
import { accountCell, accountsLine, byAccountLine } from './accounts.js';
import { day, instant, list, typeLetter } from './fields.js';
import { sanitize } from '../snapshots/sanitize.js';
import { capitalize, formatNumber, plural, usd } from './words.js';

/** How the text presents an answer: nothing here is a fact the JSON half lacks. */
export interface ListPresentation {
  format: ResponseFormat;
  resourceType: string | undefined;
  /** Scans: the filters as given ("name=web, region=fra1") and the sort. */
  filters: string;
  sort: SortOrder | undefined;
  /** Whether this answer continues an earlier one (a cursor was given). */
  continued: boolean;
  /** When the answer is written (epoch ms), for the age of the data it shows. */
  now: number;
  limit: number;
  maxLimit: number;
}

const SORT_LABELS: Record<SortOrder, string> = {
  created_desc: 'newest first',
  created_asc: 'oldest first',
  size_desc: 'largest first',
  name_asc: 'by name',
};

const COLUMNS: Record<ResponseFormat, string> = {
  concise: 'id\tname\ttype\tGB\tregions\tcreated\ttags',
  detailed: 'id\tname\ttype\tGB\tmin_disk_gb\tregions\tcreated_at\tresource_id\ttags',
};

/**
 * The text half of a list answer, written from the structured half alone: a headline it can act on
 * (how many of how many, whether and how to continue), the summary and warnings, then one
 * tab-separated row per listed snapshot. Every string from the API passes through sanitize().
 */
export function formatSnapshotList(answer: ListAnswer, how: ListPresentation): string {
  const lines = [headline(answer, how), ...accountsLine(answer.accounts)];
  if (answer.summary) lines.push(...summaryLines(answer.summary));
  for (const warning of answer.warnings ?? []) lines.push(`Warning: ${sanitize(warning)}`);
  if (answer.next_cursor !== undefined && how.limit === 0) {
    lines.push(`Rows: call again with summary=true, a limit above 0 (the other arguments the same) and cursor="${answer.next_cursor}".`);
  } else if (answer.next_cursor !== undefined) {
    const raise = how.limit < how.maxLimit && answer.count === how.limit ? `, or raise limit (up to ${formatNumber(how.maxLimit)})` : '';
    lines.push(`More exist: call again with the same arguments and cursor="${answer.next_cursor}"${raise}.`);
  }
  if (answer.snapshots.length === 0) return lines.join('\n');
  const hidden = answer.snapshots.some((snapshot) => snapshot.tags === null) ? '; tags ? = not visible (the token lacks tag:read)' : '';
  const named = answer.snapshots[0]!.account !== undefined;
  lines.push('', `Rows: type D = Droplet snapshot, V = volume snapshot${hidden}.`, (named ? 'account\t' : '') + COLUMNS[how.format]);
  const row = how.format === 'detailed' ? detailedRow : conciseRow;
  for (const snapshot of answer.snapshots) lines.push(row(snapshot));
  return lines.join('\n');
}

function headline(answer: ListAnswer, how: ListPresentation): string {
  const noun = how.resourceType ? `${how.resourceType} snapshot` : 'snapshot';
  const { count, summary } = answer;
  const status = answer.truncated ? 'more exist' : how.continued ? 'the last of them' : 'all of them';
  if (summary && answer.scanned !== undefined) {
    const filtered = [how.filters && `filters ${how.filters}`, how.sort && `sorted ${SORT_LABELS[how.sort]}`].filter(Boolean).join('; ');
    const accounts =
      answer.accounts === undefined
        ? ''
        : ` in ${plural(Object.values(answer.accounts).filter((status) => status === 'ok').length, 'account')}`;
    const counted =
      answer.scanned === answer.total
        ? `all ${plural(answer.scanned, noun)}${accounts}`
        : `${plural(answer.scanned, noun)}${accounts} (the API counted ${formatNumber(answer.total)})`;
    const when = answer.as_of === undefined ? '' : asOf(answer.as_of, how.now);
    // No page fetched: the answer comes from a scan kept from an earlier call.
    const scanned =
      answer.pages_fetched === 0 && when
        ? `from the scan of ${when}: ${counted}, no request made`
        : `scanned ${counted} in ${plural(answer.pages_fetched, 'page')}${when && `, as of ${when}`}`;
    const which = filtered ? ` (${sanitize(filtered)})` : '';
    if (summary.matched === 0) return `No ${noun}s match${which}; ${scanned}.`;
    if (how.limit === 0) return `${plural(summary.matched, `matching ${noun}`)}${which}: totals only (limit 0). ${capitalize(scanned)}.`;
    return `${formatNumber(count)} of ${plural(summary.matched, `matching ${noun}`)}${which}, ${listedSize(answer)}; ${status}. ${capitalize(scanned)}.`;
  }
  if (answer.total === 0) return `No ${noun}s in this account.`;
  if (count === 0)
    return how.continued
      ? `No more ${noun}s: all ${plural(answer.total, noun)} were listed before this cursor. Call again without cursor to start over.`
      : `No ${noun}s on this page: all ${plural(answer.total, noun)} come before it.`;
  const plainStatus = answer.truncated ? 'more exist' : how.continued ? 'the last of them' : 'complete list';
  return `${formatNumber(count)} of ${plural(answer.total, noun)}, ${listedSize(answer)}; ${plainStatus}.`;
}

/** "12:04:05 UTC, 14 s ago": when the data was read, and how long ago. */
function asOf(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return `${iso.slice(11, 19)} UTC, ${seconds === 0 ? 'just now' : `${formatNumber(seconds)} s ago`}`;
}

function listedSize(answer: ListAnswer): string {
  const gb = formatNumber(hundredths(answer.snapshots.reduce((sum, snapshot) => sum + units(snapshot.size_gigabytes), 0)));
  return `${gb} GB in ${answer.count === 1 ? 'this one' : `these ${formatNumber(answer.count)}`}`;
}

function summaryLines(summary: SnapshotSummary): string[] {
  if (summary.matched === 0) return [];
  const tallies = (map: Record<string, Tally>) =>
    Object.entries(map)
      .map(([key, tally]) => `${sanitize(key)} ${formatNumber(tally.count)} (${formatNumber(tally.gb)} GB)`)
      .join(', ');
  const lines = [
    `All ${formatNumber(summary.matched)} matching: ${formatNumber(summary.total_gb)} GB, about ${usd(summary.monthly_cost_usd)} a month ` +
      `at $${summary.price_per_gb_month_usd} per GB-month.`,
    ...byAccountLine(summary.by_account),
    `By type: ${tallies(summary.by_resource_type)}. By region (a snapshot in several regions counts in each): ${tallies(summary.by_region)}.`,
  ];
  const { oldest, newest, largest } = summary;
  if (oldest && newest && largest) {
    lines.push(
      `Oldest ${sanitize(oldest.id)} "${sanitize(oldest.name)}" (${day(oldest.created_at)}); ` +
        `newest ${sanitize(newest.id)} "${sanitize(newest.name)}" (${day(newest.created_at)}); ` +
        `largest ${sanitize(largest.id)} "${sanitize(largest.name)}" (${formatNumber(largest.size_gigabytes)} GB).`,
    );
  }
  return lines;
}

type Row = ListAnswer['snapshots'][number];

function conciseRow(snapshot: Row): string {
  return [
    ...accountCell(snapshot),
    sanitize(snapshot.id),
    sanitize(snapshot.name),
    typeLetter(snapshot.resource_type),
    formatNumber(snapshot.size_gigabytes, false),
    list(snapshot.regions),
    day(snapshot.created_at),
    snapshot.tags === null ? '?' : list(snapshot.tags),
  ].join('\t');
}

function detailedRow(snapshot: Row): string {
  return [
    ...accountCell(snapshot),
    sanitize(snapshot.id),
    sanitize(snapshot.name),
    typeLetter(snapshot.resource_type),
    String(snapshot.size_gigabytes),
    String(snapshot.min_disk_size),
    list(snapshot.regions),
    instant(snapshot.created_at),
    sanitize(snapshot.resource_id),
    snapshot.tags === null ? '?' : list(snapshot.tags),
  ].join('\t');
}
