import { z } from 'zod';

/** The API's nine snapshot fields, names and values unchanged; strict, as SDK clients check. */
export const snapshotOutput = z.strictObject({
  id: z.string().describe('Snapshot id: digits for Droplet snapshots, a UUID for volume snapshots.'),
  name: z.string().describe('Human-readable snapshot name.'),
  created_at: z.string().describe('Creation time, ISO 8601.'),
  regions: z.array(z.string()).describe('Region slugs the snapshot is available in.'),
  resource_id: z.string().describe('Id of the Droplet or volume the snapshot was taken from.'),
  resource_type: z.string().describe('"droplet" or "volume".'),
  min_disk_size: z.number().describe('Minimum disk size in GB needed to use the snapshot.'),
  size_gigabytes: z.number().describe('Billable size in GB.'),
  tags: z.array(z.string()).nullable().describe('Tags; null when not visible (the token lacks tag:read).'),
});

const tally = z.strictObject({ count: z.number().int(), gb: z.number() });
const ref = { id: z.string(), name: z.string() };

export const summaryOutput = z.strictObject({
  matched: z.number().int().describe('Snapshots that matched the filters (all of them, not only those returned).'),
  total_gb: z.number().describe('Their total size in GB, rounded to 0.01.'),
  monthly_cost_usd: z.number().describe('Estimated monthly cost in USD: total_gb × price_per_gb_month_usd, rounded to the cent.'),
  price_per_gb_month_usd: z.number().describe("DigitalOcean's snapshot price per GB-month used for the estimate."),
  by_resource_type: z.record(z.string(), tally).describe('Count and GB per resource type, largest first.'),
  by_region: z.record(z.string(), tally).describe('Count and GB per region, largest first; a snapshot in several regions counts in each.'),
  oldest: z.strictObject({ ...ref, created_at: z.string() }).nullable().describe('The earliest created match.'),
  newest: z.strictObject({ ...ref, created_at: z.string() }).nullable().describe('The latest created match.'),
  largest: z.strictObject({ ...ref, size_gigabytes: z.number() }).nullable().describe('The largest match.'),
});
