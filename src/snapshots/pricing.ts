/**
 * DigitalOcean's snapshot price (pricing page, 2026): $0.06 per GB-month for Droplet snapshots and
 * per GiB-month for volume snapshots (the API reports volumes in GiB), at least $0.01 a snapshot,
 * and nothing extra for a snapshot kept in several regions.
 */
export const PRICE_PER_GB_MONTH_USD = 0.06;
export const MINIMUM_MONTHLY_CHARGE_USD = 0.01;

/** One snapshot's monthly cost in US dollars, unrounded: sums are rounded once, at the end. */
export function monthlyCost(sizeGigabytes: number): number {
  return Math.max(MINIMUM_MONTHLY_CHARGE_USD, sizeGigabytes * PRICE_PER_GB_MONTH_USD);
}

/** Rounds half away from zero at `digits` decimals, correcting binary float error (1.005 → 1.01). */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round((value + Number.EPSILON * Math.abs(value)) * factor) / factor;
}
