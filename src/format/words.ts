/** Number and word helpers shared by every text an agent reads. */

// One formatter each, built once: toLocaleString builds a new one per call.
const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const PLAIN = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, useGrouping: false });
const DOLLARS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** 1,234.57 (grouping) or 1234.57. */
export function formatNumber(value: number, grouping = true): string {
  return (grouping ? GROUPED : PLAIN).format(value);
}

/** $5,150.72 */
export function usd(value: number): string {
  return `$${DOLLARS.format(value)}`;
}

export function plural(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? '' : 's'}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
