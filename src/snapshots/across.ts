import { shortDigest } from '../digest.js';
import type { Snapshot } from '../digitalocean/schemas.js';
import type { Account } from './account-views.js';
import { eachPaced } from './pace.js';

/**
 * One call over several accounts: each read on its own (its token, views, quota and errors), the
 * call answered from those that answered. No MCP, no text: what a failure means is told above.
 */

/** What the `account` argument takes besides a name: every account at once. */
export const ALL_ACCOUNTS = 'all';

/** An account as a call reaches it: its name ('' when the server reads one account), and a way to open it. */
export interface NamedAccount {
  name: string;
  /** The account, or why it cannot be read (no usable token). */
  open(): Promise<Account>;
}

export interface AccountsRead<T> {
  /** What each account that answered gave, in the order asked. */
  parts: { name: string; value: T }[];
  /** Why each other account could not be read. */
  failed: Map<string, unknown>;
}

/** Not one of the accounts a call spanned could be read; each one's reason is kept. */
export class NoAccountAnswered extends Error {
  override name = 'NoAccountAnswered';
  constructor(readonly failed: Map<string, unknown>) {
    super(`none of the ${failed.size} accounts could be read`);
  }
}

/**
 * `work` over every account at once. With one account its failure is the call's. With several, an
 * account's failure is its own and the others still answer; but when the call itself ended (its
 * deadline, or the client cancelled), that is the call's failure, whatever each account saw.
 */
export async function readEach<T>(
  accounts: readonly NamedAccount[],
  signal: AbortSignal | undefined,
  work: (account: Account, name: string) => Promise<T>,
): Promise<AccountsRead<T>> {
  if (accounts.length === 1) {
    const [only] = accounts as [NamedAccount];
    return { parts: [{ name: only.name, value: await work(await only.open(), only.name) }], failed: new Map() };
  }
  const settled = await Promise.allSettled(accounts.map(async ({ name, open }) => work(await open(), name)));
  signal?.throwIfAborted();
  const read: AccountsRead<T> = { parts: [], failed: new Map() };
  settled.forEach((outcome, i) => {
    const { name } = accounts[i]!;
    if (outcome.status === 'fulfilled') read.parts.push({ name, value: outcome.value });
    else read.failed.set(name, outcome.reason);
  });
  if (read.parts.length === 0) throw new NoAccountAnswered(read.failed);
  return read;
}

/** Which account each snapshot of a call came from; undefined when the server reads one account. */
export type AccountOf = ((snapshot: Snapshot) => string) | undefined;

/**
 * The account of each snapshot in `groups` (snapshot lists, one per account that answered), for
 * rows and per-account tallies; undefined for an unnamed account. One lookup per call, in slices.
 */
export async function accountsOfSnapshots(
  groups: { name: string; snapshots: readonly Snapshot[] }[],
  signal?: AbortSignal,
): Promise<AccountOf> {
  if (groups.length === 0 || groups[0]!.name === '') return undefined;
  if (groups.length === 1) {
    const { name } = groups[0]!;
    return () => name;
  }
  const owners = new Map<Snapshot, string>();
  for (const { name, snapshots } of groups) await eachPaced(snapshots, (snapshot) => owners.set(snapshot, name), signal);
  return (snapshot) => owners.get(snapshot) ?? '';
}

/**
 * The id a cursor names for what a call read: the one view's, or for several one id standing for
 * all of them (so a continuation over the same views is exact); '' when any had none.
 */
export function combinedViewId(views: { name: string; id: string }[]): string {
  if (views.length === 1) return views[0]!.id;
  if (views.some((view) => view.id === '')) return '';
  return shortDigest(views.map((view) => `${view.name}:${view.id}`).join('|'), 12);
}

/** The accounts a call spanned, each "ok" or its failure as `describe` words it. */
export function accountStatus(
  names: readonly string[],
  failed: ReadonlyMap<string, unknown>,
  describe: (name: string, error: unknown) => string,
): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, failed.has(name) ? describe(name, failed.get(name)) : 'ok']));
}
