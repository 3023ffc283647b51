/**
 * A process-wide bound on upstream requests in flight, shared by every call (and, over HTTP, every
 * request): hundreds of concurrent calls queue here instead of opening hundreds of sockets. First
 * come, first served; a waiter whose call ends (cancelled, past its deadline) leaves the queue.
 */
export class Slots {
  private free: number;
  private readonly waiting: { grant: () => void; signal: AbortSignal | undefined; onAbort: () => void }[] = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Resolves once a slot is held; the returned function gives it back (once). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.free > 0) {
      this.free -= 1;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', entry.onAbort);
          resolve();
        },
        signal,
        onAbort: () => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
    });
    return this.releaser();
  }

  /** Requests in flight and waiting, for tests and logs. */
  get load(): { held: number; waiting: number } {
    return { held: this.size - this.free, waiting: this.waiting.length };
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; otherwise it is free again.
      if (next) next.grant();
      else this.free += 1;
    };
  }
}
