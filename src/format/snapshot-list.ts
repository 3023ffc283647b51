import type { ListDrift } from '../digitalocean/paginate.js';
import type { Snapshot } from '../digitalocean/schemas.js';
import { SORT_LABELS, type SortOrder } from '../snapshots/query.js';
import { round, type SnapshotSummary, type Tally } from '../snapshots/summary.js';

export const MAX_LIMIT = 1000;
/**
 * The text stays under what agent clients take without complaint: Claude Code warns at 10,000
 * tokens (about 40,000 characters) and cuts at 25,000. The JSON in structuredContent is complete.
 */
export const TEXT_BUDGET_CHARS = 40_000;
// Room kept for the closing lines when the list has to be cut.
const FOOTER_RESERVE = 600;

export type ResponseFormat = 'concise' | 'detailed';

export interface ListView {
  /** The snapshots returned (structuredContent holds them all). */
  snapshots: Snapshot[];
  /** `meta.total` for the resource_type. */
  total: number;
  truncated: boolean;
  pagesFetched: number;
  drift: ListDrift | undefined;
  /** Set when every page was scanned (filters, sort or summary). */
  scan: { scanned: number; summary: SnapshotSummary; filters: string; sort: SortOrder | undefined } | undefined;
  resourceType: string | undefined;
  /** The API page the answer started on (raw paging only). */
  page: number;
  /** Position of the first snapshot returned in the whole (filtered, sorted) list. */
  offset: number;
  perPage: number;
  limit: number;
  format: ResponseFormat;
  nextCursor: string | undefined;
  /** A cursor that continues right after the first `listed` snapshots returned. */
  cursorAfter: (listed: number) => string;
}

const TYPE_LETTERS: Record<string, string> = { droplet: 'D', volume: 'V' };
const LEGEND = '(type: D = Droplet snapshot, V = volume snapshot)';
const COLUMNS: Record<ResponseFormat, string> = {
  concise: `id\tname\ttype\tGB\tregions\tcreated\ttags   ${LEGEND}`,
  detailed: `id\tname\ttype\tGB\tmin_disk_gb\tregions\tcreated_at\tresource_id\ttags   ${LEGEND}`,
};

/**
 * The text an agent reads: a headline it can act on (how many of how many, the size, whether and
 * how to continue), the summary when every page was scanned, and one line per snapshot, cut to the
 * budget with a way to read on.
 */
export function formatSnapshotList(view: ListView, budget = TEXT_BUDGET_CHARS): string {
  const head = [headline(view)];
  if (view.drift) head.push(driftNote(view.drift));
  // A continuation repeats only the summary's first line: the rest came with the first answer.
  if (view.scan) head.push(...summaryLines(view.scan.summary).slice(0, view.offset > 0 ? 1 : undefined));
  if (view.truncated && view.nextCursor) {
    const raise = view.limit < MAX_LIMIT ? `, or raise limit (up to ${MAX_LIMIT})` : '';
    head.push(`More exist: call again with the same arguments and cursor="${view.nextCursor}"${raise}.`);
  }
  if (view.snapshots.length === 0) return head.join('\n');

  head.push('', COLUMNS[view.format]);
  let size = head.reduce((sum, line) => sum + line.length + 1, 0);
  const rows: string[] = [];
  for (const snapshot of view.snapshots) {
    const row = view.format === 'detailed' ? detailedLine(snapshot) : snapshotLine(snapshot);
    if (size + row.length + 1 > budget - FOOTER_RESERVE) break;
    rows.push(row);
    size += row.length + 1;
  }
  const lines = [...head, ...rows];
  if (view.snapshots.some((snapshot) => snapshot.tags === null)) {
    lines.push('', 'tags "?" = not visible: the token may lack the tag:read scope.');
  }
  if (rows.length < view.snapshots.length) {
    const rest = view.snapshots.length - rows.length;
    lines.push(
      '',
      `Listed ${formatNumber(rows.length)} of the ${formatNumber(view.snapshots.length)} returned; ${formatNumber(rest)} more are in structuredContent ` +
        `only, to keep this text under ${formatNumber(budget)} characters. To read them as text: the same arguments with ` +
        `cursor="${view.cursorAfter(rows.length)}", or narrow with filters (name, region, tag, created_after/before, min/max_size_gb).`,
    );
  }
  return lines.join('\n');
}

export function snapshotLine(snapshot: Snapshot): string {
  return [
    cell(snapshot.id),
    cell(snapshot.name),
    typeLetter(snapshot),
    formatNumber(snapshot.size_gigabytes, false),
    regions(snapshot),
    snapshot.created_at.slice(0, 10),
    tags(snapshot),
  ].join('\t');
}

function detailedLine(snapshot: Snapshot): string {
  return [
    cell(snapshot.id),
    cell(snapshot.name),
    typeLetter(snapshot),
    String(snapshot.size_gigabytes),
    String(snapshot.min_disk_size),
    regions(snapshot),
    cell(snapshot.created_at),
    cell(snapshot.resource_id),
    tags(snapshot),
  ].join('\t');
}

function headline(view: ListView): string {
  const noun = view.resourceType ? `${view.resourceType} snapshot` : 'snapshot';
  const count = view.snapshots.length;
  if (view.scan) {
    const status = view.truncated ? 'more exist' : view.offset > 0 ? 'the last of them' : 'all of them';
    const { summary, scanned, filters, sort } = view.scan;
    const how = [filters && `filters ${filters}`, sort && `sorted ${SORT_LABELS[sort]}`].filter(Boolean).join('; ');
    const scannedText = `scanned all ${plural(scanned, noun)} in ${plural(view.pagesFetched, 'page')}`;
    if (summary.matched === 0) return `No ${noun}s match${how ? ` (${how})` : ''}; ${scannedText}.`;
    const gb = formatNumber(round(view.snapshots.reduce((sum, snapshot) => sum + snapshot.size_gigabytes, 0), 2));
    return (
      `${formatNumber(count)} of ${plural(summary.matched, `matching ${noun}`)}${how ? ` (${how})` : ''}, ` +
      `${gb} GB in these ${formatNumber(count)}; ${status}. ${capitalize(scannedText)}.`
    );
  }
  if (view.total === 0) return `No ${noun}s in this account.`;
  if (count === 0) {
    const pages = Math.ceil(view.total / view.perPage);
    return `No ${noun}s on page ${view.page}: the account has ${plural(view.total, noun)}, ${plural(pages, 'page')} at per_page=${view.perPage}. Call again with page=1.`;
  }
  const gb = formatNumber(round(view.snapshots.reduce((sum, snapshot) => sum + snapshot.size_gigabytes, 0), 2));
  const from = view.page > 1 ? ` starting at page ${view.page} (per_page=${view.perPage})` : '';
  return `${formatNumber(count)} of ${plural(view.total, noun)}${from}, ${gb} GB in these ${formatNumber(count)}; ${view.truncated ? 'more exist' : view.page > 1 ? 'through the last page' : 'complete list'}.`;
}

function summaryLines(summary: SnapshotSummary): string[] {
  if (summary.matched === 0) return [];
  const tallies = (map: Record<string, Tally>) =>
    Object.entries(map)
      .map(([key, tally]) => `${key} ${formatNumber(tally.count)} (${formatNumber(tally.gb)} GB)`)
      .join(', ');
  const lines = [
    `All ${formatNumber(summary.matched)} matching: ${formatNumber(summary.total_gb)} GB, about $${summary.monthly_cost_usd.toFixed(2)} a month ` +
      `at $${summary.price_per_gb_month_usd} per GB-month.`,
    `By type: ${tallies(summary.by_resource_type)}. By region (a snapshot in several regions counts in each): ${tallies(summary.by_region)}.`,
  ];
  const { oldest, newest, largest } = summary;
  if (oldest && newest && largest) {
    lines.push(
      `Oldest ${oldest.id} ${cell(oldest.name)} (${oldest.created_at.slice(0, 10)}); newest ${newest.id} ${cell(newest.name)} ` +
        `(${newest.created_at.slice(0, 10)}); largest ${largest.id} ${cell(largest.name)} (${formatNumber(largest.size_gigabytes)} GB).`,
    );
  }
  return lines;
}

/** Said when the account changed under a multi-page read, so the agent does not trust a stale view. */
export function driftNote(drift: ListDrift): string {
  const total = drift.totalBefore !== drift.totalAfter ? `meta.total went from ${drift.totalBefore} to ${drift.totalAfter}` : 'the pages shifted';
  const duplicates = drift.duplicatesRemoved > 0 ? `; ${drift.duplicatesRemoved} snapshot(s) seen twice were listed once` : '';
  return `Warning: snapshots were created or deleted while this list was read (${total}${duplicates}); some may be missing. Call again for a consistent list.`;
}

function typeLetter(snapshot: Snapshot): string {
  return TYPE_LETTERS[snapshot.resource_type] ?? cell(snapshot.resource_type);
}

function regions(snapshot: Snapshot): string {
  return snapshot.regions.length > 0 ? snapshot.regions.map(cell).join(',') : '-';
}

function tags(snapshot: Snapshot): string {
  if (snapshot.tags === null) return '?';
  return snapshot.tags.length > 0 ? snapshot.tags.map(cell).join(',') : '-';
}

export function formatNumber(value: number, grouping = true): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2, useGrouping: grouping });
}

function plural(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? '' : 's'}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Keeps one snapshot on one line and the columns intact, whatever a name contains (tabs, newlines). */
export function cell(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}
