/** Number and word helpers shared by every text an agent reads. */

/**
 * The en-US formatters, built on first need only: the first one costs about 15 ms (ICU loads its
 * locale data), which would be a sixth of start-up. Numbers the fast path covers never build them.
 */
let formatters: { grouped: Intl.NumberFormat; plain: Intl.NumberFormat; dollars: Intl.NumberFormat } | undefined;
const intl = () =>
  (formatters ??= {
    grouped: new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }),
    plain: new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, useGrouping: false }),
    dollars: new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  });

/** 1,234.57 (grouping) or 1234.57. */
export function formatNumber(value: number, grouping = true): string {
  return twoDecimals(value, 0, grouping) ?? (grouping ? intl().grouped : intl().plain).format(value);
}

/** $5,150.72 */
export function usd(value: number): string {
  return `$${twoDecimals(value, 2, true) ?? intl().dollars.format(value)}`;
}

/**
 * What those formatters write, for every finite number whose shortest form has no exponent (so from
 * 1e-6 to 1e21 in size) except -0: ICU rounds the shortest decimal form of a double (String(value)),
 * half away from zero, to two decimals; trailing zeros beyond `minDigits` go; the integer part is
 * grouped by threes. A test holds it to Intl over random and edge values. Undefined: ask Intl.
 */
function twoDecimals(value: number, minDigits: 0 | 2, grouping: boolean): string | undefined {
  const shortest = String(Math.abs(value));
  if (!Number.isFinite(value) || Object.is(value, -0) || shortest.includes('e')) return undefined;
  const dot = shortest.indexOf('.');
  let whole = dot === -1 ? shortest : shortest.slice(0, dot);
  let fraction = dot === -1 ? '' : shortest.slice(dot + 1);
  if (fraction.length > 2) {
    const up = fraction.charCodeAt(2) >= 53; // '5' or above: at least half a hundredth
    fraction = fraction.slice(0, 2);
    if (up) {
      const digits = plusOne(whole + fraction).padStart(3, '0');
      whole = digits.slice(0, -2);
      fraction = digits.slice(-2);
    }
    // Cut or carried, the hundredths may end in zeros (the shortest form never does).
    if (fraction.endsWith('0')) fraction = fraction === '00' ? '' : fraction.slice(0, 1);
  }
  fraction = fraction.padEnd(minDigits, '0');
  if (grouping && whole.length > 3) whole = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${value < 0 ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** A string of decimal digits plus one, exactly, at any length ("1299" -> "1300", "99" -> "100"). */
function plusOne(digits: string): string {
  let last = digits.length - 1;
  while (last >= 0 && digits.charCodeAt(last) === 57) last -= 1; // trailing nines carry
  const carried = '0'.repeat(digits.length - 1 - last);
  return last < 0 ? `1${carried}` : digits.slice(0, last) + String.fromCharCode(digits.charCodeAt(last) + 1) + carried;
}

export function plural(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? '' : 's'}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
