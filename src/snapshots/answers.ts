import * as z from 'zod';
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

// Lean on purpose (every byte of tools/list sits in each agent's context): the description says
// what the breakdown's keys are (by_type, by_age, by_region) and that regions carry no cost.
const bucket = z.object({ count: count(), gb: z.number(), monthly_cost_usd: z.number().optional() });

export const cleanupAnswer = z.object({
  candidates: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      resource_type: z.string(),
      resource_id: z.string(),
      created_at: z.string(),
      size_gigabytes: z.number(),
      monthly_cost_usd: z.number(),
      reasons: z.array(z.string()),
    }),
  ),
  count: count(),
  total_candidates: count(),
  monthly_savings_usd: z.number(),
  next_cursor: z.string().optional(),
  scanned: count(),
  as_of: z.string(),
  orphan_check: z.record(z.string(), z.string()),
  breakdown: z.record(z.string(), z.record(z.string(), bucket)),
  warnings: z.array(z.string()),
});
export type CleanupAnswer = z.output<typeof cleanupAnswer>;
