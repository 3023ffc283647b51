import { sanitize } from '../snapshots/sanitize.js';

/** Snapshot fields as text shows them, shared by every formatter. */

// The form the API writes (2024-03-05T10:11:12Z). Date.parse rolls over what this rejects
// (2023-02-29, hour 24), so those take the slow path.
const CANONICAL = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The UTC calendar day of an API timestamp, written by us: the API's string never reaches the text. */
export function day(createdAt: string): string {
  // A row's date is a quarter of the time it takes to write a row; most are in the API's form,
  // read here without making a string of each part.
  if (CANONICAL.test(createdAt)) {
    const year = digits(createdAt, 0, 4);
    const month = digits(createdAt, 5, 2);
    const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (digits(createdAt, 8, 2) <= DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return createdAt.slice(0, 10);
  }
  const at = Date.parse(createdAt);
  return Number.isNaN(at) ? '?' : new Date(at).toISOString().slice(0, 10);
}

/** The number written by the `count` ASCII digits at `start`. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let at = start; at < start + count; at++) value = value * 10 + text.charCodeAt(at) - 48;
  return value;
}

/** The instant of an API timestamp as ISO 8601 in UTC, written from its parsed value. */
export function instant(createdAt: string): string {
  const at = Date.parse(createdAt);
  return Number.isNaN(at) ? '?' : new Date(at).toISOString().replace('.000Z', 'Z');
}

export function typeLetter(resourceType: string): string {
  return resourceType === 'droplet' ? 'D' : resourceType === 'volume' ? 'V' : sanitize(resourceType);
}

/** A list field as one cell: sanitised items, comma-separated, or "-" when empty. */
export function list(values: string[]): string {
  return values.length > 0 ? values.map(sanitize).join(',') : '-';
}
