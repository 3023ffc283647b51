import type { Snapshot } from '../digitalocean/schemas.js';

/**
 * Bounds on what one snapshot may add to an answer, applied the same way to both halves (the text
 * and structuredContent), so a hostile field can neither break the answer's size budget nor stall
 * a cursor: with these, any single snapshot fits an answer with room to spare.
 */
export const MAX_STRING_CHARS = 1024;
/** A list field (regions, tags) keeps items while their characters add up to at most this... */
const MAX_LIST_CHARS = 2048;
/** ...and at most this many of them. */
const MAX_LIST_ITEMS = 64;
/** Keys of the summary's tallies (region slugs, resource types) are a few characters in practice. */
export const MAX_KEY_CHARS = 64;

const ELLIPSIS = '…';

/** What clipping changed, counted by field: said once per answer in its warnings. */
export type ClipReport = Map<string, number>;

/** The string cut to `max` characters, the last being an ellipsis; never splits a surrogate pair. */
export function clipString(value: string, max = MAX_STRING_CHARS, report?: ClipReport, field = 'string'): string {
  if (value.length <= max) return value;
  let end = max - 1;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  report?.set(field, (report.get(field) ?? 0) + 1);
  return value.slice(0, end) + ELLIPSIS;
}

function clipList(items: string[], report: ClipReport, field: string): string[] {
  const kept: string[] = [];
  let chars = 0;
  for (const item of items) {
    const clipped = clipString(item, MAX_STRING_CHARS, report, field);
    if (kept.length >= MAX_LIST_ITEMS || chars + clipped.length > MAX_LIST_CHARS) {
      report.set(`${field} (list shortened)`, (report.get(`${field} (list shortened)`) ?? 0) + 1);
      break;
    }
    kept.push(clipped);
    chars += clipped.length;
  }
  return kept;
}

/** The snapshot as an answer shows it: every string and list within the bounds above. */
export function clipSnapshot(snapshot: Snapshot, report: ClipReport): Snapshot {
  return {
    id: clipString(snapshot.id, MAX_STRING_CHARS, report, 'id'),
    name: clipString(snapshot.name, MAX_STRING_CHARS, report, 'name'),
    created_at: clipString(snapshot.created_at, MAX_STRING_CHARS, report, 'created_at'),
    regions: clipList(snapshot.regions, report, 'regions'),
    resource_id: clipString(snapshot.resource_id, MAX_STRING_CHARS, report, 'resource_id'),
    resource_type: clipString(snapshot.resource_type, MAX_STRING_CHARS, report, 'resource_type'),
    min_disk_size: snapshot.min_disk_size,
    size_gigabytes: snapshot.size_gigabytes,
    tags: snapshot.tags === null ? null : clipList(snapshot.tags, report, 'tags'),
  };
}

/** The warning for an answer whose values were cut, or undefined when nothing was. */
export function clipWarning(report: ClipReport): string | undefined {
  if (report.size === 0) return undefined;
  const fields = [...report.entries()].map(([field, count]) => `${field} ×${count}`).join(', ');
  return (
    `Some values from the API were too long to show whole and were cut (strings end in "${ELLIPSIS}"; ` +
    `lists keep their first items): ${fields}.`
  );
}
