/**
 * One bound on the memory the process spends on the API's answers: every call's reads, every scan
 * in flight and every kept account view hold part of it, so no burst of calls, whatever their
 * tokens, can take the process past it. Held bytes are estimated from the bytes of answers read
 * (MEMORY_PER_BYTE_READ: parsed snapshots, and the collector's headroom, measured in BENCHMARKS.md).
 *
 * A scan reserves what it will need once its first page tells (reserve()): that waits, first come
 * first served, until room is made (kept views are evicted first) or until half the call's
 * remaining time is gone, then answers ServerBusyError with when room is due. A page read past a
 * reservation (a first page, a page larger than the first) is counted at once, even over the
 * budget: it is in memory already, and the pages in flight are few (UPSTREAM_CONCURRENCY).
 */

/** Memory held per byte of API answer read: measured about 1.7 for parsed snapshots, plus the collector's headroom. */
export const MEMORY_PER_BYTE_READ = 2.5;

export class ServerBusyError extends Error {
  override name = 'ServerBusyError';
  constructor(
    readonly neededBytes: number,
    readonly maxBytes: number,
    /** When the earliest holder is due to give its part back (epoch ms), or undefined when none holds any. */
    readonly roomAt: number | undefined,
    /** The need alone is over the whole budget: waiting will not help. */
    readonly never: boolean,
  ) {
    super(never ? `a scan needing about ${megabytes(neededBytes)} MB, over the whole budget` : `no room for ${megabytes(neededBytes)} MB`);
  }
}

export function megabytes(bytes: number): number {
  return Math.ceil(bytes / 1024 / 1024);
}

interface Waiter {
  hold: Hold;
  bytes: number;
  grant: () => void;
}

export class MemoryBudget {
  private used = 0;
  private readonly holds = new Set<Hold>();
  private readonly waiting: Waiter[] = [];
  private serving = false;
  /** Frees room by dropping kept views (account-views.ts); returns the bytes it freed. */
  reclaim: (bytes: number) => number = () => 0;

  constructor(readonly maxBytes: number) {}

  /** A new, empty hold, to be released by `until` (epoch ms) at the latest: the retry hint others get. */
  open(until: number): Hold {
    const hold = new Hold(this, until);
    this.holds.add(hold);
    return hold;
  }

  /** Bytes held now, by every hold together. */
  get bytesHeld(): number {
    return this.used;
  }

  /** @internal Hold's: takes `bytes` now if they fit (reclaiming views) and no one waits before; else false. */
  charge(bytes: number): boolean {
    if (this.waiting.length > 0) return false;
    this.makeRoom(bytes);
    if (this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  /** @internal Hold's: takes `bytes` already in memory, making what room it can. */
  overdraw(bytes: number): void {
    this.makeRoom(bytes);
    this.used += bytes;
  }

  private makeRoom(bytes: number): void {
    if (this.used + bytes > this.maxBytes) this.reclaim(this.used + bytes - this.maxBytes);
  }

  /** @internal Hold's: waits for `bytes` of room until `signal` aborts. */
  wait(hold: Hold, bytes: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        hold,
        bytes,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(signal.reason);
        this.serve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.serve();
    });
  }

  /** @internal Hold's: gives bytes back and lets waiters in. */
  refund(bytes: number): void {
    this.used -= bytes;
    this.serve();
  }

  /** @internal Hold's: the hold is done. */
  close(hold: Hold): void {
    this.holds.delete(hold);
  }

  /** When the earliest hold is due to end (epoch ms), for the retry hint of a busy answer. */
  roomAt(): number | undefined {
    let earliest: number | undefined;
    for (const hold of this.holds) if (hold.bytes > 0 && (earliest === undefined || hold.until < earliest)) earliest = hold.until;
    return earliest;
  }

  /** Grants waiters in order while the first one fits, reclaiming views for it. */
  private serve(): void {
    // Reclaiming gives bytes back (refund), which would serve again from inside this loop.
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.waiting.length > 0) {
        const head = this.waiting[0]!;
        this.makeRoom(head.bytes);
        if (this.used + head.bytes > this.maxBytes) return;
        this.waiting.shift();
        this.used += head.bytes;
        head.grant();
      }
    } finally {
      this.serving = false;
    }
  }
}

/** One holder's part of the budget: a call's reads, a scan, then the view it became. */
export class Hold {
  /** Bytes charged to the budget. */
  bytes = 0;
  /** Bytes used of them (reads); the rest is reserved for reads to come. */
  private usedBytes = 0;
  private released = false;

  constructor(
    private readonly budget: MemoryBudget,
    /** When it ends at the latest (epoch ms). */
    public until: number,
  ) {}

  /**
   * Counts memory now in use. Past the reservation it is taken even when it does not fit: a page
   * already read is in memory (what can go past the budget this way is bounded by the requests in
   * flight); the next reservation waits until the budget is whole again.
   */
  use(bytes: number): void {
    const extra = this.usedBytes + bytes - this.bytes;
    this.usedBytes += bytes;
    if (extra <= 0) return;
    this.budget.overdraw(extra);
    this.bytes += extra;
  }

  /**
   * Makes sure `total` bytes are held (some may be already), waiting for room until half the time
   * left before `deadline` is gone (the rest is for the work itself), then ServerBusyError.
   */
  async reserve(total: number, signal: AbortSignal | undefined, deadline: number | undefined): Promise<void> {
    const more = total - this.bytes;
    if (more <= 0) return;
    if (more > this.budget.maxBytes) throw this.busy(more, true);
    if (this.budget.charge(more)) {
      this.bytes += more;
      return;
    }
    const patience = deadline === undefined ? 30_000 : Math.max(0, (deadline - Date.now()) / 2);
    const timeout = AbortSignal.timeout(Math.floor(Math.min(patience, 2_147_483_647)));
    const stop = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      await this.budget.wait(this, more, stop);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw this.busy(more, false);
    }
    this.bytes += more;
  }

  /** Gives every byte back; later calls do nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const bytes = this.bytes;
    this.bytes = 0;
    this.budget.close(this);
    this.budget.refund(bytes);
  }

  private busy(bytes: number, never: boolean): ServerBusyError {
    return new ServerBusyError(bytes, this.budget.maxBytes, never ? undefined : this.budget.roomAt(), never);
  }
}
