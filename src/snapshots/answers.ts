import { z } from 'zod';
import { snapshotRecord } from '../digitalocean/schemas.js';
import { count, summarySchema } from './summary.js';

/**
 * The structured answers of the snapshot tools: what structuredContent carries and what the text
 * half is written from, so both halves say the same. Lean on purpose: the published output schemas
 * sit in every agent's context, and the tool descriptions say what the fields mean.
 */


export const listAnswer = z.object({
  snapshots: z.array(snapshotRecord),
  count: count(),
  /** The API's meta.total for the resource_type. */
  total: count(),
  truncated: z.boolean(),
  next_cursor: z.string().optional(),
  pages_fetched: count(),
  /** Scans only: snapshots read, when they were read, and the summary of all that matched. */
  scanned: count().optional(),
  as_of: z.string().optional(),
  summary: summarySchema.optional(),
  warnings: z.array(z.string()).optional(),
});
export type ListAnswer = z.output<typeof listAnswer>;

export const snapshotAnswer = z.object({
  snapshot: snapshotRecord,
  monthly_cost_usd: z.number(),
  age_days: count(),
  warnings: z.array(z.string()).optional(),
});
export type SnapshotAnswer = z.output<typeof snapshotAnswer>;
