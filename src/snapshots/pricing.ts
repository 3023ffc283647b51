/**
 * DigitalOcean's snapshot price (pricing page, 2026): $0.06 per GB-month for Droplet snapshots and
 * per GiB-month for volume snapshots (the API reports volumes in GiB), at least $0.01 a snapshot,
 * and nothing extra for a snapshot kept in several regions.
 */
export const PRICE_PER_GB_MONTH_USD = 0.06;
export const MINIMUM_MONTHLY_CHARGE_USD = 0.01;

/**
 * Sizes and costs are summed in ten-thousandths (of a GB, of a dollar), as integers: every sum is
 * exact, so a total that ends in half a cent rounds up as it would on paper. (The API gives sizes
 * to the hundredth; a cost is then a whole number of ten-thousandths. Anything finer is rounded to
 * the ten-thousandth once, per snapshot.)
 */
export const UNITS = 10_000;
export const units = (value: number): number => Math.round(value * UNITS);

// 600 exactly: one multiplication of the size, so its one rounding is the only one.
const UNITS_PER_GB_MONTH = Math.round(PRICE_PER_GB_MONTH_USD * UNITS);
const MINIMUM_UNITS = Math.round(MINIMUM_MONTHLY_CHARGE_USD * UNITS);

/** One snapshot's monthly cost in ten-thousandths of a dollar: sums are rounded once, at the end. */
export function monthlyCostUnits(sizeGigabytes: number): number {
  return Math.max(MINIMUM_UNITS, Math.round(sizeGigabytes * UNITS_PER_GB_MONTH));
}

/** A sum in ten-thousandths as shown: to the hundredth, half up. */
export function hundredths(sumUnits: number): number {
  return Math.round(sumUnits / 100) / 100;
}
