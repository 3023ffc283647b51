import * as z from 'zod';
import { snapshotRecord } from '../digitalocean/schemas.js';
import { RESOURCE_TYPES } from '../digitalocean/schemas.js';
import { accountPartSchema, ageBucketSchema, orphanCheckSchema, orphansSchema, reasonSchema } from './cleanup.js';
import { summaryAcrossSchema, summarySchema } from './summary.js';
import { costedTallySchema, count, tallySchema } from './tally.js';

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

/** Rows of a server that reads several accounts: each says whose it is. */
const fromAccount = { account: z.string().optional() };
/** Across several accounts: each one "ok" or why it is not in the answer, and whether every one is. */
const spanned = { accounts: z.record(z.string(), z.string()).optional(), complete: z.boolean().optional() };

/** list_snapshots with several accounts: rows carry `account`, the summary `by_account`, and a call over several `accounts`. */
export const listAnswerAcross = listAnswer.extend({
  snapshots: z.array(snapshotRecord.extend(fromAccount)),
  summary: summaryAcrossSchema.partial({ by_account: true }).optional(),
  ...spanned,
});
/** Any list answer: one account's is one whose rows name none. */
export type ListAnswer = z.output<typeof listAnswerAcross>;

export const snapshotAnswer = z.object({
  snapshot: snapshotRecord,
  monthly_cost_usd: z.number(),
  age_days: count(),
  warnings: z.array(z.string()).optional(),
});
export const snapshotAnswerAcross = snapshotAnswer.extend({ snapshot: snapshotRecord.extend(fromAccount) });
export type SnapshotAnswer = z.output<typeof snapshotAnswerAcross>;

const candidate = z.object({
  id: z.string(),
  name: z.string(),
  resource_type: z.string(),
  resource_id: z.string(),
  created_at: z.string(),
  size_gigabytes: z.number(),
  monthly_cost_usd: z.number(),
  reasons: z.array(reasonSchema),
});

// Regions carry no cost: a snapshot in several regions costs no more.
const breakdown = z.object({
  by_type: z.record(z.string(), costedTallySchema),
  by_age: z.record(ageBucketSchema, costedTallySchema),
  by_region: z.record(z.string(), tallySchema),
});

export const cleanupAnswer = z.object({
  /** The rules the plan applied, as given (protect_tags as shown). */
  rules: z.object({
    orphans: orphansSchema,
    keep_last: count().optional(),
    older_than_days: count().optional(),
    protect_tags: z.array(z.string()).optional(),
    resource_type: z.enum(RESOURCE_TYPES).optional(),
  }),
  candidates: z.array(candidate),
  count: count(),
  total_candidates: count(),
  monthly_savings_usd: z.number(),
  next_cursor: z.string().optional(),
  scanned: count(),
  as_of: z.string(),
  orphan_check: z.object({ droplet: orphanCheckSchema, volume: orphanCheckSchema }),
  breakdown,
  warnings: z.array(z.string()),
});

export const cleanupAnswerAcross = cleanupAnswer.extend({
  candidates: z.array(candidate.extend(fromAccount)),
  breakdown: breakdown.extend({ by_account: z.record(z.string(), accountPartSchema).optional() }),
  ...spanned,
});
export type CleanupAnswer = z.output<typeof cleanupAnswerAcross>;
