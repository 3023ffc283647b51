// node:crypto is loaded on first use (process.getBuiltinModule), not at start-up: about 2 ms of it.
import type { DigitalOceanClient, RequestContext } from '../digitalocean/client.js';
import type { CollectResult } from '../digitalocean/paginate.js';
import { ReadBudget } from '../digitalocean/read-budget.js';
import type { ResourceType, Snapshot } from '../digitalocean/schemas.js';
import { SCAN_PAGE_SIZE } from './list-input.js';

/**
 * Short-lived views of whole accounts, so a conversation's burst of questions costs one scan:
 * a whole-account scan is kept for a short window and answers the scan-type calls that follow,
 * and concurrent identical scans share one (single flight). One instance per process; over HTTP
 * every request's server shares it. Keyed by the owner (the API origin and a hash of the token,
 * never the token), so one token's view never answers another's call. Bounded in bytes for the
 * whole process, with no owner holding more than a fair share while others need room; nothing is
 * written to disk.
 */

/** One token's account as the tools reach it: the client, and the process's views of whose `owner` it is. */
export interface Account {
  client: DigitalOceanClient;
  views: AccountViews;
  owner: string;
}

export interface AccountView {
  /** Names the view in cursors, so a continuation over it is exact. */
  id: string;
  /** Every snapshot of the resource type (all types when undefined), in API order. */
  snapshots: Snapshot[];
  total: number;
  pagesFetched: number;
  drift: CollectResult['drift'];
  /** When its scan finished (epoch ms). */
  asOf: number;
}

export interface ScanOptions extends RequestContext {
  onProgress?: ((fetched: number, needed: number) => void) | undefined;
}

/** Reads a whole account (every page of one resource type, or of all) within the given bounds. */
export type Scanner = (resourceType: ResourceType | undefined, bounds: ScanOptions) => Promise<CollectResult>;

interface Stored {
  view: AccountView;
  owner: string;
  resourceType: ResourceType | undefined;
  bytes: number;
  timer: NodeJS.Timeout;
}

interface Flight {
  done: Promise<AccountView>;
  controller: AbortController;
  waiters: Set<symbol>;
  deadline: number;
  timer: NodeJS.Timeout;
  progress: Set<NonNullable<ScanOptions['onProgress']>>;
}

export class AccountViews {
  private readonly stored = new Map<string, Stored>();
  private readonly flights = new Map<string, Flight>();
  /** The owner's lists of live Droplet and volume ids (for orphan checks), kept for the same window. */
  private readonly lists = new Map<string, Promise<unknown>>();

  constructor(
    private readonly limits: { ttlMs: number; maxBytes: number },
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.limits.ttlMs > 0;
  }

  /**
   * The view a call may answer from: `preferred` (the one its cursor names) if alive, else the
   * owner's view of this resource type, else of all types narrowed to it. Undefined when none is.
   */
  find(owner: string, resourceType: ResourceType | undefined, preferred?: string): AccountView | undefined {
    this.sweep();
    const mine = [...this.stored.values()].filter((entry) => entry.owner === owner);
    const named = preferred === undefined ? undefined : mine.find((entry) => entry.view.id === preferred);
    if (named && (named.resourceType === resourceType || named.resourceType === undefined)) return narrowed(named, resourceType);
    const exact = mine.filter((entry) => entry.resourceType === resourceType).sort((a, b) => b.view.asOf - a.view.asOf)[0];
    if (exact) return exact.view;
    const all = mine.filter((entry) => entry.resourceType === undefined).sort((a, b) => b.view.asOf - a.view.asOf)[0];
    return all && narrowed(all, resourceType);
  }

  /**
   * A fresh scan for the owner, shared with any identical scan already running. The caller's
   * cancellation or deadline ends only its own wait; the scan stops when its last waiter has gone,
   * and runs until the latest deadline among them. A failed scan is not kept.
   */
  async scan(owner: string, resourceType: ResourceType | undefined, scanner: Scanner, bounds: ScanOptions): Promise<AccountView> {
    const key = `${owner}|${resourceType ?? '*'}`;
    let flight = this.flights.get(key);
    if (!flight) flight = this.launch(key, owner, resourceType, scanner, bounds);
    const me = Symbol('waiter');
    flight.waiters.add(me);
    if (bounds.onProgress) flight.progress.add(bounds.onProgress);
    if (bounds.deadline !== undefined && bounds.deadline > flight.deadline) this.extend(flight, bounds.deadline);
    try {
      return await waitFor(flight.done, bounds.signal);
    } finally {
      flight.waiters.delete(me);
      if (bounds.onProgress) flight.progress.delete(bounds.onProgress);
      if (flight.waiters.size === 0) flight.controller.abort(bounds.signal?.reason);
    }
  }

  private launch(key: string, owner: string, resourceType: ResourceType | undefined, scanner: Scanner, bounds: ScanOptions): Flight {
    const controller = new AbortController();
    const deadline = bounds.deadline ?? Number.POSITIVE_INFINITY;
    const budget = new ReadBudget(bounds.budget?.limits ?? { maxBytes: Number.POSITIVE_INFINITY, maxSnapshots: Number.POSITIVE_INFINITY });
    const flight: Flight = {
      done: Promise.resolve(undefined as never),
      controller,
      waiters: new Set(),
      deadline,
      timer: deadlineTimer(controller, deadline, this.now),
      progress: new Set(),
    };
    const onProgress = (fetched: number, needed: number) => {
      for (const report of flight.progress) report(fetched, needed);
    };
    flight.done = scanner(resourceType, { signal: controller.signal, deadline, budget, onProgress })
      .then((result) => {
        const view: AccountView = {
          id: process.getBuiltinModule('node:crypto').randomBytes(9).toString('base64url'),
          snapshots: result.snapshots,
          total: result.total,
          pagesFetched: result.pagesFetched,
          drift: result.drift,
          asOf: this.now(),
        };
        this.keep(owner, resourceType, view, budget.bytesRead);
        return view;
      })
      .finally(() => {
        clearTimeout(flight.timer);
        this.flights.delete(key);
      });
    // Waiters see the failure; nothing else must treat it as unhandled.
    flight.done.catch(() => undefined);
    this.flights.set(key, flight);
    return flight;
  }

  private extend(flight: Flight, deadline: number): void {
    clearTimeout(flight.timer);
    flight.deadline = deadline;
    flight.timer = deadlineTimer(flight.controller, deadline, this.now);
  }

  private keep(owner: string, resourceType: ResourceType | undefined, view: AccountView, bytes: number): void {
    if (!this.enabled || bytes > this.limits.maxBytes) return;
    const timer = setTimeout(() => this.stored.delete(view.id), this.limits.ttlMs);
    timer.unref();
    this.stored.set(view.id, { view, owner, resourceType, bytes, timer });
    this.evict(owner);
  }

  /** Drops the oldest views until the process is within its bytes, first from owners over their fair share. */
  private evict(newcomer: string): void {
    for (;;) {
      const entries = [...this.stored.values()];
      const used = entries.reduce((sum, entry) => sum + entry.bytes, 0);
      if (used <= this.limits.maxBytes) return;
      const owners = new Set(entries.map((entry) => entry.owner));
      const share = this.limits.maxBytes / owners.size;
      const usage = (owner: string) => entries.filter((entry) => entry.owner === owner).reduce((sum, entry) => sum + entry.bytes, 0);
      const greedy = entries.filter((entry) => owners.size > 1 && usage(entry.owner) > share);
      const candidates = (greedy.length > 0 ? greedy : entries).sort((a, b) => a.view.asOf - b.view.asOf);
      // The view just kept goes last: the newcomer asked for it now.
      const victim = candidates.find((entry) => entry.owner !== newcomer) ?? candidates[0]!;
      clearTimeout(victim.timer);
      this.stored.delete(victim.view.id);
    }
  }

  private sweep(): void {
    const oldest = this.now() - this.limits.ttlMs;
    for (const [id, entry] of this.stored) {
      if (entry.view.asOf <= oldest) {
        clearTimeout(entry.timer);
        this.stored.delete(id);
      }
    }
  }

  /**
   * A small list of the owner's (which Droplets or volumes exist), read once per window and shared by
   * concurrent callers; a failed read is not kept. Its ids are a few bytes each: not counted.
   */
  list<T>(owner: string, kind: string, read: () => Promise<T>): Promise<T> {
    if (!this.enabled) return read();
    const key = `${owner}|${kind}`;
    const known = this.lists.get(key) as Promise<T> | undefined;
    if (known) return known;
    const reading = read();
    this.lists.set(key, reading);
    reading.then(
      () => setTimeout(() => this.lists.delete(key), this.limits.ttlMs).unref(),
      () => this.lists.delete(key),
    );
    return reading;
  }

  /** Bytes held, for tests and logs. */
  get bytesHeld(): number {
    return [...this.stored.values()].reduce((sum, entry) => sum + entry.bytes, 0);
  }
}

/**
 * A view of all types, narrowed to one: what a scan of that resource_type would have read, down to
 * its total and the pages it takes, so the answer is the one a fresh scan would give.
 */
function narrowed(entry: Stored, resourceType: ResourceType | undefined): AccountView {
  if (entry.resourceType === resourceType || resourceType === undefined) return entry.view;
  const snapshots = entry.view.snapshots.filter((snapshot) => snapshot.resource_type === resourceType);
  return { ...entry.view, snapshots, total: snapshots.length, pagesFetched: Math.max(1, Math.ceil(snapshots.length / SCAN_PAGE_SIZE)) };
}

function deadlineTimer(controller: AbortController, deadline: number, now: () => number): NodeJS.Timeout {
  const timer = setTimeout(
    () => controller.abort(new DOMException('The call reached its deadline', 'TimeoutError')),
    Math.max(0, Math.min(deadline - now(), 2_147_483_647)),
  );
  timer.unref();
  return timer;
}

/** The promise, or the signal's reason as soon as it aborts. */
function waitFor<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
