import { sanitize } from './sanitize.js';

/** Snapshot fields as text shows them, shared by every formatter. */

/** The UTC calendar day of an API timestamp, written by us: the API's string never reaches the text. */
export function day(createdAt: string): string {
  const at = Date.parse(createdAt);
  return Number.isNaN(at) ? '?' : new Date(at).toISOString().slice(0, 10);
}

export function typeLetter(resourceType: string): string {
  return resourceType === 'droplet' ? 'D' : resourceType === 'volume' ? 'V' : sanitize(resourceType);
}

/** A list field as one cell: sanitised items, comma-separated, or "-" when empty. */
export function list(values: string[]): string {
  return values.length > 0 ? values.map(sanitize).join(',') : '-';
}
