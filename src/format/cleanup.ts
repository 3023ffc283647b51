import type { CleanupAnswer } from '../snapshots/answers.js';
import type { Tally } from '../snapshots/tally.js';
import { accountCell, accountsLine, byAccountLine } from './accounts.js';
import { day, typeLetter } from './fields.js';
import { AGE_LABELS, ORPHAN_CHECK_LABELS } from './labels.js';
import { sanitize } from '../snapshots/sanitize.js';
import { formatNumber, plural, usd } from './words.js';

/** How the text presents a plan: nothing here is a fact the JSON half lacks. */
export interface CleanupPresentation {
  continued: boolean;
  now: number;
}

/**
 * The text half of a cleanup plan, written from the structured half: the totals and savings first,
 * where the money goes, the warnings and the way to continue, then one row per candidate.
 */
export function formatCleanupPlan(answer: CleanupAnswer, how: CleanupPresentation): string {
  const age = Math.max(0, Math.round((how.now - Date.parse(answer.as_of)) / 1000));
  const rules = rulesText(answer.rules);
  const asOf = `${answer.as_of.slice(11, 19)} UTC, ${age === 0 ? 'just now' : `${formatNumber(age)} s ago`}`;
  const lines = [
    answer.total_candidates === 0
      ? `Nothing to propose: none of the ${plural(answer.scanned, 'snapshot')} scanned fits the rules (${rules}). As of ${asOf}.`
      : `${formatNumber(answer.total_candidates)} of ${plural(answer.scanned, 'snapshot')} scanned could go, saving about ${usd(answer.monthly_savings_usd)} a month ` +
        `(rules: ${rules}). ${answer.count === answer.total_candidates ? 'All listed' : `Listed here: ${formatNumber(answer.count)}${how.continued ? ', continuing' : ''}`}. As of ${asOf}.`,
    ...accountsLine(answer.accounts),
    `Orphan check: Droplets ${ORPHAN_CHECK_LABELS[answer.orphan_check.droplet]}, volumes ${ORPHAN_CHECK_LABELS[answer.orphan_check.volume]}.`,
    ...breakdownLines(answer.breakdown),
  ];
  for (const warning of answer.warnings) lines.push(`Warning: ${sanitize(warning)}`);
  if (answer.next_cursor !== undefined)
    lines.push(
      answer.count === 0
        ? `Candidates: call again with a limit above 0 (the other arguments the same) and cursor="${answer.next_cursor}".`
        : `More candidates: call again with the same arguments and cursor="${answer.next_cursor}".`,
    );
  if (answer.candidates.length === 0) return lines.join('\n');
  lines.push(
    '',
    'Rows: type D = Droplet snapshot, V = volume snapshot; $/month = what it costs a month.',
    `${answer.candidates[0]!.account === undefined ? '' : 'account\t'}id\tname\ttype\tGB\t$/month\tcreated\treasons`,
  );
  for (const candidate of answer.candidates) {
    lines.push(
      [
        ...accountCell(candidate),
        sanitize(candidate.id),
        sanitize(candidate.name),
        typeLetter(candidate.resource_type),
        formatNumber(candidate.size_gigabytes, false),
        candidate.monthly_cost_usd.toFixed(2),
        day(candidate.created_at),
        candidate.reasons.join(','),
      ].join('\t'),
    );
  }
  return lines.join('\n');
}

function breakdownLines(breakdown: CleanupAnswer['breakdown']): string[] {
  const buckets = <K extends string>(map: Record<K, Tally & { monthly_cost_usd?: number }>, label: (key: K) => string) =>
    (Object.entries(map) as [K, Tally & { monthly_cost_usd?: number }][])
      .map(([key, bucket]) => {
        const cost = bucket.monthly_cost_usd === undefined ? '' : `, ${usd(bucket.monthly_cost_usd)}`;
        return `${label(key)} ${formatNumber(bucket.count)} (${formatNumber(bucket.gb)} GB${cost})`;
      })
      .join(', ') || 'none';
  return [
    ...byAccountLine(breakdown.by_account),
    `By type: ${buckets(breakdown.by_type, sanitize)}. By age: ${buckets(breakdown.by_age, (key) => AGE_LABELS[key])}.`,
    `By region (a snapshot in several regions counts in each, at no extra cost): ${buckets(breakdown.by_region, sanitize)}.`,
  ];
}

/** The rules as the call gave them, in its own words: `orphans=include, keep_last=2, protect_tags=keep|prod`. */
function rulesText(rules: CleanupAnswer['rules']): string {
  return Object.entries(rules)
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.map(sanitize).join('|') : value}`)
    .join(', ');
}
