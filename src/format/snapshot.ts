import type { Snapshot } from '../digitalocean/schemas.js';
import { PRICE_PER_GB_MONTH_USD, round } from '../snapshots/summary.js';
import { cell, formatNumber } from './snapshot-list.js';

/** One snapshot in a few lines: what it is, what it costs, how old, where, from what. */
export function formatSnapshot(snapshot: Snapshot, now: number): string {
  const kind = snapshot.resource_type === 'droplet' ? 'Droplet snapshot' : snapshot.resource_type === 'volume' ? 'Volume snapshot' : `${cell(snapshot.resource_type)} snapshot`;
  const cost = round(snapshot.size_gigabytes * PRICE_PER_GB_MONTH_USD, 2);
  const days = Math.floor((now - Date.parse(snapshot.created_at)) / 86_400_000);
  const tags = snapshot.tags === null ? 'not visible (the token may lack tag:read)' : snapshot.tags.length > 0 ? snapshot.tags.map(cell).join(', ') : 'none';
  return [
    `${kind} ${cell(snapshot.id)} "${cell(snapshot.name)}": ${formatNumber(snapshot.size_gigabytes)} GB, about $${cost.toFixed(2)} a month at $${PRICE_PER_GB_MONTH_USD} per GB-month.`,
    `Created ${cell(snapshot.created_at)} (${formatNumber(days)} day${days === 1 ? '' : 's'} ago). Regions: ${snapshot.regions.map(cell).join(', ') || 'none'}.`,
    `From ${snapshot.resource_type} ${cell(snapshot.resource_id)}; needs a disk of at least ${snapshot.min_disk_size} GB. Tags: ${tags}.`,
  ].join('\n');
}
