// node:crypto is loaded on first use (process.getBuiltinModule), not at start-up: about 2 ms of it.
import type { DigitalOceanClient, RequestContext } from '../digitalocean/client.js';
import type { CollectResult } from '../digitalocean/paginate.js';
import { deadlineReached } from '../digitalocean/errors.js';
import type { Hold, MemoryBudget } from '../digitalocean/memory.js';
import { pause } from '../digitalocean/pause.js';
import { ReadBudget } from '../digitalocean/read-budget.js';
import type { ResourceType, Scope, Snapshot } from '../digitalocean/schemas.js';
import { errorMessage, type Logger } from '../logger.js';
import { SCAN_PAGE_SIZE } from './list-input.js';
import type { SharedView, SharedViews } from './shared-views.js';

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
  /** With replicas: the newest shared view of the type the caller saw and could not use (null: none); a view shared since then is as fresh as this scan. */
  seenShared?: string | null | undefined;
}

/** Reads a whole account (every page of one resource type, or of all) within the given bounds. */
export type Scanner = (resourceType: ResourceType | undefined, bounds: ScanOptions) => Promise<CollectResult>;

interface Stored {
  view: AccountView;
  owner: string;
  resourceType: ResourceType | undefined;
  /** Bytes of answers its scan read: what it counts against the views' own bound. */
  bytes: number;
  /** Its part of the process's memory, taken over from its scan. */
  hold: Hold | undefined;
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

/** One owner's views, oldest first, and the bytes they hold. */
interface Shelf {
  views: Map<string, Stored>;
  bytes: number;
}

export class AccountViews {
  /** Every view by id, oldest first (views are kept in the order their scans finish). */
  private readonly stored = new Map<string, Stored>();
  private readonly shelves = new Map<string, Shelf>();
  private used = 0;
  private readonly flights = new Map<string, Flight>();
  /** The owner's lists of live Droplet and volume ids (for orphan checks), kept for the same window. */
  private readonly lists = new Map<string, Promise<Set<string> | Scope>>();

  /** With REDIS_URL: what the replicas share (shared-views.ts), and where to say a view stayed here. */
  private shared: { views: SharedViews; log: Logger } | undefined;

  constructor(
    private readonly limits: { ttlMs: number; maxBytes: number },
    /** The process's memory budget, which scans draw from and views keep their part of. */
    private readonly memory?: MemoryBudget,
    private readonly now: () => number = Date.now,
  ) {}

  /** Shares views with the other replicas from now on. */
  share(views: SharedViews, log: Logger): void {
    this.shared = { views, log };
  }

  /**
   * With replicas: the view another replica made that a call may answer from (`preferred`, the one
   * its cursor names, else the owner's newest of this resource type, else of all types narrowed),
   * kept here for what is left of its window, its part of the process's memory taken as a scan
   * takes it. Undefined when none is shared (or the store does not answer).
   */
  async findShared(
    owner: string,
    resourceType: ResourceType | undefined,
    preferred: string | undefined,
    bounds: ScanOptions,
  ): Promise<{ view: AccountView | undefined; seen: string | null }> {
    const shared = this.shared?.views;
    if (!shared || !this.enabled) return { view: undefined, seen: null };
    const usable = (found: SharedView | undefined) =>
      found && (found.resourceType === resourceType || found.resourceType === undefined) && found.view.asOf + this.limits.ttlMs > this.now()
        ? found
        : undefined;
    const seen = (await shared.latestId(owner, resourceType)) ?? null;
    const found =
      usable(preferred === undefined ? undefined : await shared.byId(owner, preferred)) ??
      usable(seen === null ? undefined : await shared.byId(owner, seen)) ??
      (resourceType === undefined ? undefined : usable(await shared.latest(owner, undefined)));
    return { view: found && this.adopt(owner, found, resourceType, bounds), seen };
  }

  /** Keeps a view another replica shared, as if this replica had scanned it; answers it narrowed to the call's type. */
  private adopt(owner: string, found: SharedView, resourceType: ResourceType | undefined, bounds: ScanOptions): AccountView {
    const known = this.stored.get(found.view.id);
    if (known) return narrowed(known, resourceType);
    const limits = bounds.budget?.limits ?? { maxBytes: Number.POSITIVE_INFINITY, maxSnapshots: Number.POSITIVE_INFINITY };
    const budget = new ReadBudget(limits, this.memory?.open(bounds.deadline ?? Number.POSITIVE_INFINITY));
    try {
      budget.read(found.bytes);
      budget.keep(found.view.snapshots.length);
    } catch (error) {
      budget.release();
      throw error;
    }
    const entry = this.keep(owner, found.resourceType, found.view, budget);
    if (!entry) budget.release();
    return entry ? narrowed(entry, resourceType) : found.view;
  }

  get enabled(): boolean {
    return this.limits.ttlMs > 0;
  }

  /**
   * The view a call may answer from: `preferred` (the one its cursor names) if alive, else the
   * owner's view of this resource type, else of all types narrowed to it. Undefined when none is.
   * Looks at the owner's views only.
   */
  find(owner: string, resourceType: ResourceType | undefined, preferred?: string): AccountView | undefined {
    this.sweep();
    const mine = this.shelves.get(owner)?.views;
    if (!mine) return undefined;
    const named = preferred === undefined ? undefined : mine.get(preferred);
    if (named && (named.resourceType === resourceType || named.resourceType === undefined)) return narrowed(named, resourceType);
    let exact: Stored | undefined;
    let all: Stored | undefined;
    // Oldest first: the last match is the newest.
    for (const entry of mine.values()) {
      if (entry.resourceType === resourceType) exact = entry;
      else if (entry.resourceType === undefined) all = entry;
    }
    return exact?.view ?? (all && narrowed(all, resourceType));
  }

  /**
   * A fresh scan for the owner, shared with any identical scan already running. The caller's
   * cancellation or deadline ends only its own wait; the scan stops when its last waiter has gone,
   * and runs until the latest deadline among them. A failed scan is not kept.
   */
  async scan(owner: string, resourceType: ResourceType | undefined, scanner: Scanner, bounds: ScanOptions): Promise<AccountView> {
    bounds.signal?.throwIfAborted();
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
    const limits = bounds.budget?.limits ?? { maxBytes: Number.POSITIVE_INFINITY, maxSnapshots: Number.POSITIVE_INFINITY };
    const budget = new ReadBudget(limits, this.memory?.open(deadline));
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
    const scanHere = () =>
      scanner(resourceType, { signal: controller.signal, deadline, budget, onProgress, gate: bounds.gate }).then((result) => {
        const view: AccountView = {
          id: randomId(),
          snapshots: result.snapshots,
          total: result.total,
          pagesFetched: result.pagesFetched,
          drift: result.drift,
          asOf: this.now(),
        };
        if (!this.keep(owner, resourceType, view, budget)) budget.release();
        return view;
      });
    const shared = this.shared;
    flight.done = (
      shared
        ? this.acrossReplicas(shared, owner, resourceType, scanHere, {
            signal: controller.signal,
            deadline,
            budget,
            seenShared: bounds.seenShared,
          })
        : scanHere()
    )
      .catch((error: unknown) => {
        budget.release();
        throw error;
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

  /**
   * One scan of the owner's account across replicas: the replica that takes the scan's lock reads
   * and shares the view (before it gives the lock back); the others wait for that view and keep it.
   * The lock is renewed while its replica scans, so one that dies while scanning holds the others up
   * for at most SCAN_LOCK_MS; a scan that fails shares nothing, and the next replica to take the lock
   * reads. When the store does not answer, this replica reads alone.
   */
  private async acrossReplicas(
    shared: NonNullable<AccountViews['shared']>,
    owner: string,
    resourceType: ResourceType | undefined,
    scanHere: () => Promise<AccountView>,
    bounds: ScanOptions & { signal: AbortSignal; deadline: number; budget: ReadBudget },
  ): Promise<AccountView> {
    const holder = randomId();
    // A view shared after this point was read by a scan running meanwhile: as fresh as this one.
    const before = bounds.seenShared === undefined ? await shared.views.latestId(owner, resourceType) : (bounds.seenShared ?? undefined);
    const sharedSince = async () => {
      const id = await shared.views.latestId(owner, resourceType);
      const found = id !== undefined && id !== before ? await shared.views.byId(owner, id) : undefined;
      if (!found || found.resourceType !== resourceType) return undefined;
      // Read by another replica: this flight's own budget held nothing, and it fetched no page.
      bounds.budget.release();
      return { ...this.adopt(owner, found, resourceType, bounds), pagesFetched: 0 };
    };
    for (;;) {
      bounds.signal.throwIfAborted();
      const claim = await shared.views.claimScan(owner, resourceType, holder, SCAN_LOCK_MS);
      if (claim === 'no store') return scanHere();
      if (claim === 'taken') {
        // Held while this replica lives and scans: a replica that dies loses it within SCAN_LOCK_MS.
        const heartbeat = setInterval(() => void shared.views.renewScan(owner, resourceType, holder, SCAN_LOCK_MS), SCAN_LOCK_MS / 3);
        heartbeat.unref();
        const release = () => {
          clearInterval(heartbeat);
          return shared.views.releaseScan(owner, resourceType, holder);
        };
        let view: AccountView;
        try {
          const meanwhile = await sharedSince();
          if (meanwhile) {
            await release();
            return meanwhile;
          }
          view = await scanHere();
        } catch (error) {
          await release();
          throw error;
        }
        // The caller has its answer at once; the lock goes once the view is shared, so the replicas
        // waiting for it find it.
        void this.publish(shared, owner, resourceType, view).finally(release);
        return view;
      }
      await pause(POLL_MS, bounds.signal);
      const meanwhile = await sharedSince();
      if (meanwhile) return meanwhile;
    }
  }

  /** Shares a view just read for the rest of its window; one too large to share stays here, and a line says so. */
  private async publish(
    shared: NonNullable<AccountViews['shared']>,
    owner: string,
    resourceType: ResourceType | undefined,
    view: AccountView,
  ): Promise<void> {
    if (!this.enabled) return;
    try {
      const outcome = await shared.views.put(owner, resourceType, view, view.asOf + this.limits.ttlMs - this.now());
      if (outcome === 'too large') shared.log.info('a view too large to share stays on this replica', { snapshots: view.snapshots.length });
    } catch (error) {
      shared.log.warn('a view could not be shared', { error: errorMessage(error) });
    }
  }

  private extend(flight: Flight, deadline: number): void {
    clearTimeout(flight.timer);
    flight.deadline = deadline;
    flight.timer = deadlineTimer(flight.controller, deadline, this.now);
  }

  /** Keeps the view for the rest of its window, with its scan's part of the process's memory; undefined when it is not kept. */
  private keep(owner: string, resourceType: ResourceType | undefined, view: AccountView, budget: ReadBudget): Stored | undefined {
    const bytes = budget.bytesRead;
    if (!this.enabled || bytes > this.limits.maxBytes) return undefined;
    const timer = setTimeout(() => this.drop(view.id), Math.max(0, view.asOf + this.limits.ttlMs - this.now()));
    timer.unref();
    if (budget.hold) budget.hold.until = view.asOf + this.limits.ttlMs;
    const entry: Stored = { view, owner, resourceType, bytes, hold: budget.hold, timer };
    this.stored.set(view.id, entry);
    const shelf = this.shelves.get(owner) ?? { views: new Map<string, Stored>(), bytes: 0 };
    shelf.views.set(view.id, entry);
    shelf.bytes += bytes;
    this.shelves.set(owner, shelf);
    this.used += bytes;
    this.evict(entry);
    return this.stored.get(view.id);
  }

  /**
   * Drops views until the views are within their bytes, the view just kept last (the newcomer
   * asked for it now): its owner's own oldest first while that owner holds more than a fair share,
   * otherwise the oldest of all. Each step costs the same whatever the number of views.
   */
  private evict(newcomer: Stored): void {
    while (this.used > this.limits.maxBytes) {
      const shelf = this.shelves.get(newcomer.owner)!;
      const share = this.limits.maxBytes / this.shelves.size;
      const victim = (shelf.bytes > share ? oldestBut(shelf.views, newcomer) : undefined) ?? oldestBut(this.stored, newcomer) ?? newcomer;
      this.drop(victim.view.id);
      if (victim === newcomer) return;
    }
  }

  /** Drops the oldest views, whoever owns them, until `bytes` of the process's memory are free; returns what was freed. */
  reclaim(bytes: number): number {
    let freed = 0;
    for (const entry of this.stored.values()) {
      if (freed >= bytes) break;
      freed += entry.hold?.bytes ?? 0;
      this.drop(entry.view.id);
    }
    return freed;
  }

  private drop(id: string): void {
    const entry = this.stored.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.stored.delete(id);
    const shelf = this.shelves.get(entry.owner)!;
    shelf.views.delete(id);
    shelf.bytes -= entry.bytes;
    if (shelf.views.size === 0) this.shelves.delete(entry.owner);
    this.used -= entry.bytes;
    entry.hold?.release();
  }

  /** Expired views leave from the front: they were kept in the order they expire. */
  private sweep(): void {
    const oldest = this.now() - this.limits.ttlMs;
    for (const entry of this.stored.values()) {
      if (entry.view.asOf > oldest) return;
      this.drop(entry.view.id);
    }
  }

  /**
   * The ids of a small list of the owner's (which Droplets or volumes exist), or the scope the token
   * lacks to read it: read once per window and shared by concurrent callers (and, with replicas, by
   * every replica); a failed read is not kept. Its ids are a few bytes each: not counted.
   */
  ids(owner: string, kind: string, read: () => Promise<Set<string> | Scope>): Promise<Set<string> | Scope> {
    if (!this.enabled) return read();
    const key = `${owner}|${kind}`;
    const known = this.lists.get(key);
    if (known) return known;
    const shared = this.shared?.views;
    const reading = shared ? this.readShared(shared, owner, kind, read) : read();
    this.lists.set(key, reading);
    reading.then(
      () => setTimeout(() => this.lists.delete(key), this.limits.ttlMs).unref(),
      () => this.lists.delete(key),
    );
    return reading;
  }

  /** A list another replica read, else read here and shared for the window. */
  private async readShared(
    shared: SharedViews,
    owner: string,
    kind: string,
    read: () => Promise<Set<string> | Scope>,
  ): Promise<Set<string> | Scope> {
    const known = await shared.getList(owner, kind);
    if (known) return new Set(known);
    const ids = await read();
    if (ids instanceof Set) await shared.putList(owner, kind, [...ids], this.limits.ttlMs);
    return ids;
  }

  /** Bytes held, for tests and logs. */
  get bytesHeld(): number {
    return this.used;
  }

  /** Views kept, for tests and logs. */
  get size(): number {
    return this.stored.size;
  }
}

/** The first (oldest) entry of a map in insertion order that is not `skip`. */
function oldestBut(entries: Map<string, Stored>, skip: Stored): Stored | undefined {
  for (const entry of entries.values()) if (entry !== skip) return entry;
  return undefined;
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

/** How often a replica waiting for another's scan looks for its view. */
const POLL_MS = 20;
/** A scan's lock lasts this long unless its replica renews it (a third of it apart) while it scans. */
const SCAN_LOCK_MS = 3_000;

/** An id no one can guess (a view's, a lock holder's). */
function randomId(): string {
  return process.getBuiltinModule('node:crypto').randomBytes(9).toString('base64url');
}

function deadlineTimer(controller: AbortController, deadline: number, now: () => number): NodeJS.Timeout {
  const timer = setTimeout(() => controller.abort(deadlineReached()), Math.max(0, Math.min(deadline - now(), 2_147_483_647)));
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
