import type { AgeBucket, OrphanCheck, Reason } from '../snapshots/cleanup.js';

/**
 * The words people read for the plan's keys, in the text and in the MCP App alike. Each map covers
 * its enum: a new key does not compile until it has its words.
 */
export const AGE_LABELS: Record<AgeBucket, string> = {
  under_30d: 'under 30 days',
  '30_90d': '30-90 days',
  '90_365d': '90-365 days',
  over_365d: 'over 365 days',
};

export const ORPHAN_CHECK_LABELS: Record<OrphanCheck, string> = {
  checked: 'checked',
  not_permitted: 'not permitted (scope missing)',
  skipped: 'not asked for',
};

export const REASON_LABELS: Record<Reason, string> = {
  orphaned: 'orphaned',
  older_than: 'older than',
  beyond_keep_last: 'beyond keep_last',
};
