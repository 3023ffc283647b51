import { MEMORY_PER_BYTE_READ, type Hold } from './memory.js';

/**
 * What one call (or one shared scan) may read and hold, whatever the upstream sends: bytes of
 * answers and snapshots in memory. A whole-account scan of 100,000 snapshots is about 30 MB of
 * answers; past the budget the call fails with ReadBudgetError instead of growing the process
 * without bound. With a hold on the process's memory budget (memory.ts), what it reads is counted
 * there too, until release().
 */
export class ReadBudget {
  private bytes = 0;
  private snapshots = 0;

  constructor(
    readonly limits: { maxBytes: number; maxSnapshots: number },
    /** Its part of the process's memory budget, if any. */
    readonly hold?: Hold,
  ) {}

  /** Bytes of answers read so far: what a kept scan costs in memory, roughly. */
  get bytesRead(): number {
    return this.bytes;
  }

  /** Counts an answer's bytes; throws once the call has read more than its budget, or the process has no room. */
  read(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.limits.maxBytes) throw new ReadBudgetError('bytes', this.limits);
    this.hold?.use(bytes * MEMORY_PER_BYTE_READ);
  }

  /**
   * Reserves room for `more` bytes of answers still to read (up to the call's budget), waiting for
   * the process to have it (memory.ts); a scan asks once its first page tells how many remain.
   */
  async expect(more: number, signal: AbortSignal | undefined, deadline: number | undefined): Promise<void> {
    const total = Math.min(this.bytes + more, this.limits.maxBytes);
    await this.hold?.reserve(total * MEMORY_PER_BYTE_READ, signal, deadline);
  }

  /** Counts snapshots kept in memory; throws past the budget. */
  keep(count: number): void {
    this.snapshots += count;
    if (this.snapshots > this.limits.maxSnapshots) throw new ReadBudgetError('snapshots', this.limits);
  }

  /** Gives its part of the process's memory back. */
  release(): void {
    this.hold?.release();
  }
}

export class ReadBudgetError extends Error {
  override name = 'ReadBudgetError';
  constructor(
    readonly exceeded: 'bytes' | 'snapshots',
    readonly limits: { maxBytes: number; maxSnapshots: number },
  ) {
    super(exceeded === 'bytes' ? `more than ${limits.maxBytes} bytes of answers` : `more than ${limits.maxSnapshots} snapshots`);
  }
}
