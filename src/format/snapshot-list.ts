import type { Snapshot } from '../digitalocean/schemas.js';
import type { CollectResult, Continuation, ListDrift } from '../digitalocean/paginate.js';

export const MAX_LIMIT = 1000;
const MAX_PER_PAGE = 200;
// Continuing with fewer per page than this costs more requests than re-reading one page.
const MIN_USEFUL_PER_PAGE = 20;

export interface ListRequest {
  page: number;
  perPage: number;
  resourceType?: string | undefined;
  limit: number;
}

// Tab-separated, one letter for the type: the text must stay a small fraction of the JSON.
const COLUMNS = 'id\tname\ttype\tGB\tregions\tcreated\ttags   (type: D = Droplet snapshot, V = volume snapshot)';
const TYPE_LETTERS: Record<string, string> = { droplet: 'D', volume: 'V' };

/**
 * The text an agent reads: a headline it can act on (how many of how many, the size, whether and
 * how to continue) and one compact line per snapshot. structuredContent carries the full data.
 */
export function formatSnapshotList(result: CollectResult, request: ListRequest): string {
  const lines = [headline(result, request)];
  if (result.drift) lines.push(driftNote(result.drift));
  const continuation = continuationHint(result, request);
  if (continuation) lines.push(continuation);
  if (result.snapshots.length > 0) {
    lines.push('', COLUMNS, ...result.snapshots.map(snapshotLine));
    if (result.snapshots.some((snapshot) => snapshot.tags === null)) {
      lines.push('', 'tags "?" = not visible: the token may lack the tag:read scope.');
    }
  }
  return lines.join('\n');
}

export function snapshotLine(snapshot: Snapshot): string {
  const tags = snapshot.tags === null ? '?' : snapshot.tags.length > 0 ? snapshot.tags.map(cell).join(',') : '-';
  return [
    cell(snapshot.id),
    cell(snapshot.name),
    TYPE_LETTERS[snapshot.resource_type] ?? cell(snapshot.resource_type),
    formatNumber(snapshot.size_gigabytes, false),
    snapshot.regions.length > 0 ? snapshot.regions.map(cell).join(',') : '-',
    snapshot.created_at.slice(0, 10),
    tags,
  ].join('\t');
}

function headline(result: CollectResult, request: ListRequest): string {
  const noun = request.resourceType ? `${request.resourceType} snapshot` : 'snapshot';
  const { total } = result;
  const count = result.snapshots.length;
  if (total === 0) return `No ${noun}s in this account.`;
  if (count === 0) {
    const pages = Math.ceil(total / request.perPage);
    return `No ${noun}s on page ${request.page}: the account has ${plural(total, noun)}, ${plural(pages, 'page')} at per_page=${request.perPage}. Call again with page=1.`;
  }
  const gb = formatNumber(sumGigabytes(result.snapshots));
  const from = request.page > 1 ? ` starting at page ${request.page} (per_page=${request.perPage})` : '';
  const status = result.truncated ? 'more exist' : request.page > 1 ? 'through the last page' : 'complete list';
  return `${formatNumber(count)} of ${plural(total, noun)}${from}, ${gb} GB in these ${formatNumber(count)}; ${status}.`;
}

/** Said when the account changed under a multi-page read, so the agent does not trust a stale view. */
export function driftNote(drift: ListDrift): string {
  const total = drift.totalBefore !== drift.totalAfter ? `meta.total went from ${drift.totalBefore} to ${drift.totalAfter}` : 'the pages shifted';
  const duplicates = drift.duplicatesRemoved > 0 ? `; ${drift.duplicatesRemoved} snapshot(s) seen twice were listed once` : '';
  return `Warning: snapshots were created or deleted while this list was read (${total}${duplicates}); some may be missing. Call again for a consistent list.`;
}

function continuationHint(result: CollectResult, request: ListRequest): string | undefined {
  const next = result.continuation;
  if (!result.truncated || !next) return undefined;
  const same = request.resourceType ? `, resource_type=${request.resourceType}` : '';
  const raise = request.limit < MAX_LIMIT ? `, or raise limit (up to ${MAX_LIMIT})` : '';
  const exact = exactContinuation(next, request.perPage);
  if (exact) return `To continue exactly after the last one: page=${exact.page}, per_page=${exact.perPage}${same}${raise}.`;
  return `To continue: page=${next.page}, per_page=${request.perPage}${same}, and skip the first ${next.skip} snapshots of that page (already listed here)${raise}.`;
}

/**
 * Pages are fixed windows of per_page snapshots, so the next snapshot (offset n) starts a page
 * exactly when per_page divides n. Take the largest such per_page, if it is not wastefully small.
 */
export function exactContinuation(next: Continuation, perPage: number): { page: number; perPage: number } | undefined {
  if (next.skip === 0) return { page: next.page, perPage };
  const offset = (next.page - 1) * perPage + next.skip;
  for (let size = Math.min(MAX_PER_PAGE, offset); size >= MIN_USEFUL_PER_PAGE; size--) {
    if (offset % size === 0) return { page: offset / size + 1, perPage: size };
  }
  return undefined;
}

/** Total size rounded to hundredths of a GB, so float noise (0.1 + 0.2) never shows. */
export function sumGigabytes(snapshots: readonly Snapshot[]): number {
  const hundredths = snapshots.reduce((sum, snapshot) => sum + snapshot.size_gigabytes * 100, 0);
  return Math.round(hundredths) / 100;
}

function formatNumber(value: number, grouping = true): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2, useGrouping: grouping });
}

function plural(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** Keeps one snapshot on one line and the columns intact, whatever a name contains (tabs, newlines). */
function cell(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}
