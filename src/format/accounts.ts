import { sanitize } from '../snapshots/sanitize.js';
import type { AccountPart } from '../snapshots/cleanup.js';
import type { CostedTally } from '../snapshots/tally.js';
import { formatNumber, usd } from './words.js';

/** What text says of the accounts an answer spans: shared by the list and the plan. */

/** "Accounts: acme ok; globex not read: <why>." — every account the call spanned. */
export function accountsLine(accounts: Record<string, string> | undefined): string[] {
  if (!accounts) return [];
  const each = Object.entries(accounts).map(([name, status]) =>
    status === 'ok' ? `${sanitize(name)} ok` : `${sanitize(name)} not read: ${sanitize(status)}`,
  );
  return [`Accounts: ${each.join('; ')}.`];
}

/**
 * "By account: acme 12 (340 GB, $17.00), globex 3 (…)": each account's part of the totals; in a
 * plan, what of it could go too ("…, $17.00; 5 could go, saving $6.10").
 */
export function byAccountLine(byAccount: Record<string, CostedTally & Partial<AccountPart>> | undefined): string[] {
  if (!byAccount) return [];
  const each = Object.entries(byAccount).map(([name, part]) => {
    const going =
      part.candidates === undefined ? '' : `; ${formatNumber(part.candidates)} could go, saving ${usd(part.monthly_savings_usd ?? 0)}`;
    return `${sanitize(name)} ${formatNumber(part.count)} (${formatNumber(part.gb)} GB, ${usd(part.monthly_cost_usd)}${going})`;
  });
  return [`By account: ${each.join(', ')}.`];
}

/** A row's account cell, first in rows of a server that reads several accounts. */
export function accountCell(row: { account?: string | undefined }): string[] {
  return row.account === undefined ? [] : [sanitize(row.account)];
}
