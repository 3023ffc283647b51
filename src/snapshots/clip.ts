import type { Snapshot } from '../digitalocean/schemas.js';
import { isPlain, sanitize } from './sanitize.js';

/**
 * What an API string may bring into an answer, applied the same way to both halves (the text and
 * structuredContent): no invisible characters (sanitize.ts), and bounds, so a hostile field can
 * neither break the answer's size budget nor stall a cursor: with these, any single snapshot fits
 * an answer with room to spare.
 */
export const MAX_STRING_CHARS = 1024;
/** A list field (regions, tags) keeps items while their characters add up to at most this... */
const MAX_LIST_CHARS = 2048;
/** ...and at most this many of them. */
const MAX_LIST_ITEMS = 64;
/** Keys of the summary's tallies (region slugs, resource types) are a few characters in practice. */
export const MAX_KEY_CHARS = 64;

const ELLIPSIS = '…';

/** What was changed, counted by field (cut, or `CLEANED` + field): said once per answer in its warnings. */
export type ClipReport = Map<string, number>;
const CLEANED = 'cleaned:';
const RENAMED = 'renamed:';
/** A key JavaScript's objects treat as their prototype: a tally under it would vanish or pollute in a client. */
const PROTOTYPE_KEY = '__proto__';

/** Counts one change of `field` in the report. */
function note(report: ClipReport | undefined, field: string): void {
  report?.set(field, (report.get(field) ?? 0) + 1);
}

/** A tally's key from the API as an answer carries it: shown(), and never `__proto__`. */
export function shownKey(key: string, report: ClipReport, field: string): string {
  if (key !== PROTOTYPE_KEY) return shown(key, report, field, MAX_KEY_CHARS);
  note(report, RENAMED + field);
  return `(${key})`;
}

/** An API string as an answer carries it: sanitised, then cut to `max`; changes are counted in `report`. */
export function shown(value: string, report?: ClipReport, field = 'string', max = MAX_STRING_CHARS): string {
  const clean = sanitize(value);
  if (clean !== value) note(report, CLEANED + field);
  return clipString(clean, max, report, field);
}

/** A free-form string from the API (an error message, a request id) as text shows it: cut, then sanitised. */
export function apiText(value: string): string {
  return sanitize(clipString(value));
}

/** The string cut to `max` characters, the last being an ellipsis; never splits a surrogate pair. */
export function clipString(value: string, max = MAX_STRING_CHARS, report?: ClipReport, field = 'string'): string {
  if (value.length <= max) return value;
  let end = max - 1;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  note(report, field);
  return value.slice(0, end) + ELLIPSIS;
}

function clipList(items: string[], report: ClipReport, field: string): string[] {
  const kept: string[] = [];
  let chars = 0;
  for (const item of items) {
    const clipped = shown(item, report, field);
    if (kept.length >= MAX_LIST_ITEMS || chars + clipped.length > MAX_LIST_CHARS) {
      note(report, `${field} (list shortened)`);
      break;
    }
    kept.push(clipped);
    chars += clipped.length;
  }
  return kept;
}

/** A snapshot that shown() would leave as it is: printable ASCII strings within the bounds, lists short. */
function asShown(snapshot: Snapshot): boolean {
  const plain = (value: string) => value.length <= MAX_STRING_CHARS && isPlain(value);
  const short = (items: string[]) =>
    items.length <= MAX_LIST_ITEMS && items.every(plain) && items.reduce((chars, item) => chars + item.length, 0) <= MAX_LIST_CHARS;
  return (
    plain(snapshot.id) &&
    plain(snapshot.name) &&
    plain(snapshot.created_at) &&
    plain(snapshot.resource_id) &&
    plain(snapshot.resource_type) &&
    short(snapshot.regions) &&
    (snapshot.tags === null || short(snapshot.tags))
  );
}

/** The snapshot as an answer shows it: every string and list within the bounds above (the same object when it already is). */
export function clipSnapshot(snapshot: Snapshot, report: ClipReport): Snapshot {
  if (asShown(snapshot)) return snapshot;
  return {
    id: shown(snapshot.id, report, 'id'),
    name: shown(snapshot.name, report, 'name'),
    created_at: shown(snapshot.created_at, report, 'created_at'),
    regions: clipList(snapshot.regions, report, 'regions'),
    resource_id: shown(snapshot.resource_id, report, 'resource_id'),
    resource_type: shown(snapshot.resource_type, report, 'resource_type'),
    min_disk_size: snapshot.min_disk_size,
    size_gigabytes: snapshot.size_gigabytes,
    tags: snapshot.tags === null ? null : clipList(snapshot.tags, report, 'tags'),
  };
}

/** The warnings for an answer whose values were cleaned or cut: none when nothing was. */
export function clipWarnings(report: ClipReport): string[] {
  const of = (prefix: string) =>
    [...report].filter(([field]) => field.startsWith(prefix)).map(([field, count]) => [field.slice(prefix.length), count] as const);
  const cleaned = of(CLEANED);
  const renamed = of(RENAMED);
  const cut = [...report].filter(([field]) => !field.startsWith(CLEANED) && !field.startsWith(RENAMED));
  const counts = (entries: (readonly [string, number])[]) => entries.map(([field, count]) => `${field} ×${count}`).join(', ');
  const warnings: string[] = [];
  if (cleaned.length > 0) {
    warnings.push(
      'Some values from the API held invisible or control characters (line breaks, bidi or zero-width marks, variation selectors, ' +
        `stacked combining marks), removed here; every visible character is kept: ${counts(cleaned)}.`,
    );
  }
  if (renamed.length > 0)
    warnings.push(
      `A key the API named ${PROTOTYPE_KEY} is shown as (${PROTOTYPE_KEY}), which JavaScript objects cannot hold safely: ${counts(renamed)}.`,
    );
  if (cut.length > 0) {
    warnings.push(
      `Some values from the API were too long to show whole and were cut (strings end in "${ELLIPSIS}"; ` +
        `lists keep their first items): ${counts(cut)}.`,
    );
  }
  return warnings;
}
