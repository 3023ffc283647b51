import type { SnapshotAnswer } from '../snapshots/answers.js';
import { sanitize } from '../snapshots/sanitize.js';
import { day } from './fields.js';
import { formatNumber, plural, usd } from './words.js';

/** One snapshot in a few lines, written from the structured answer: what it is, costs, how old, where, from what. */
export function formatSnapshot(answer: SnapshotAnswer): string {
  const { snapshot } = answer;
  const type = sanitize(snapshot.resource_type);
  const kind = type === 'droplet' ? 'Droplet' : type === 'volume' ? 'Volume' : `"${type}"`;
  const tags = snapshot.tags === null ? 'not visible (the token lacks tag:read)' : snapshot.tags.map(sanitize).join(', ') || 'none';
  const where = snapshot.account === undefined ? '' : ` in account ${sanitize(snapshot.account)}`;
  const lines = [
    `${kind} snapshot ${sanitize(snapshot.id)} "${sanitize(snapshot.name)}"${where}: ${formatNumber(snapshot.size_gigabytes)} GB, ` +
      `about ${usd(answer.monthly_cost_usd)} a month.`,
    `Created ${day(snapshot.created_at)} (${plural(answer.age_days, 'day')} ago). Regions: ${snapshot.regions.map(sanitize).join(', ') || 'none'}.`,
    `From ${kind === 'Droplet' ? 'Droplet' : kind === 'Volume' ? 'volume' : `${kind} resource`} ${sanitize(snapshot.resource_id)}; ` +
      `needs a disk of at least ${formatNumber(snapshot.min_disk_size)} GB. Tags: ${tags}.`,
  ];
  for (const warning of answer.warnings ?? []) lines.push(`Warning: ${sanitize(warning)}`);
  return lines.join('\n');
}
