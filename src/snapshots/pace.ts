/**
 * Long passes over an account's snapshots (filter, sort keys, summary, plan) run in slices: after
 * SLICE_MS of work the pass gives the event loop a turn, so pings, other tenants' calls and the
 * call's own deadline are served while it runs, and it stops there once its call is cancelled or
 * past its deadline. A pass that finishes within one slice never waits.
 */
const SLICE_MS = 8;
// performance.now() costs about 30 ns: read it once per this many items.
const CHECK_EVERY = 256;

export class Pacer {
  private sliceStart = performance.now();
  private done = 0;
  private nextCheck = CHECK_EVERY;

  constructor(private readonly signal?: AbortSignal) {}

  /**
   * Call after `work` items: a promise (await it) when the slice is spent, else undefined (so the
   * caller need not await: an await costs a microtask).
   */
  tick(work = 1): Promise<void> | undefined {
    this.done += work;
    if (this.done < this.nextCheck) return undefined;
    this.nextCheck = this.done + CHECK_EVERY;
    return performance.now() - this.sliceStart < SLICE_MS ? undefined : this.yield();
  }

  private async yield(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.signal?.throwIfAborted();
    this.sliceStart = performance.now();
  }
}

/** `items.filter(keep)`, in slices. */
export async function filterPaced<T>(items: readonly T[], keep: (item: T) => boolean, signal?: AbortSignal): Promise<T[]> {
  const pacer = new Pacer(signal);
  const kept: T[] = [];
  for (const item of items) {
    if (keep(item)) kept.push(item);
    const turn = pacer.tick();
    if (turn) await turn;
  }
  return kept;
}

/** `items.forEach(visit)`, in slices. */
export async function eachPaced<T>(items: readonly T[], visit: (item: T, index: number) => void, signal?: AbortSignal): Promise<void> {
  const pacer = new Pacer(signal);
  for (let i = 0; i < items.length; i++) {
    visit(items[i]!, i);
    const turn = pacer.tick();
    if (turn) await turn;
  }
}

/** `items.findIndex(test)`, in slices: stops at the first match. */
export async function findIndexPaced<T>(items: readonly T[], test: (item: T) => boolean, signal?: AbortSignal): Promise<number> {
  const pacer = new Pacer(signal);
  for (let i = 0; i < items.length; i++) {
    if (test(items[i]!)) return i;
    const turn = pacer.tick();
    if (turn) await turn;
  }
  return -1;
}

// A run this long sorts natively in a few milliseconds.
const RUN = 4096;

/**
 * `items` in a stable order (`compare`, ties in input order), in slices: runs of RUN sorted
 * natively, then merged pairwise, each merge a pass that gives the event loop its turns (a native
 * sort of two long runs together would hold it for tens of milliseconds).
 */
export async function sortPaced<T>(items: readonly T[], compare: (a: T, b: T) => number, signal?: AbortSignal): Promise<T[]> {
  const pacer = new Pacer(signal);
  let runs: T[][] = [];
  for (let start = 0; start < items.length; start += RUN) {
    runs.push(items.slice(start, start + RUN).sort(compare));
    const turn = pacer.tick(RUN);
    if (turn) await turn;
  }
  while (runs.length > 1) {
    const merged: T[][] = [];
    for (let i = 0; i < runs.length; i += 2) {
      const [left, right] = [runs[i]!, runs[i + 1]];
      merged.push(right ? await mergePaced(left, right, compare, pacer) : left);
    }
    runs = merged;
  }
  return runs[0] ?? [];
}

/** Two sorted runs as one, in slices; on a tie the left one's item first (so the sort stays stable). */
async function mergePaced<T>(left: T[], right: T[], compare: (a: T, b: T) => number, pacer: Pacer): Promise<T[]> {
  // Filled by push: an array made with holes takes the slow paths of every later pass over it.
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    out.push(compare(right[j]!, left[i]!) < 0 ? right[j++]! : left[i++]!);
    const turn = pacer.tick();
    if (turn) await turn;
  }
  while (i < left.length) out.push(left[i++]!);
  while (j < right.length) out.push(right[j++]!);
  return out;
}
