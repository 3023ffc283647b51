/**
 * What one call may read and hold, whatever the upstream sends: bytes of answers and snapshots in
 * memory. A whole-account scan of 100,000 snapshots is about 30 MB of answers; past the budget the
 * call fails with ReadBudgetError instead of growing the process without bound.
 */
export class ReadBudget {
  private bytes = 0;
  private snapshots = 0;

  constructor(readonly limits: { maxBytes: number; maxSnapshots: number }) {}

  /** Bytes of answers read so far: what a kept scan costs in memory, roughly. */
  get bytesRead(): number {
    return this.bytes;
  }

  /** Counts an answer's bytes; throws once the call has read more than its budget. */
  read(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.limits.maxBytes) throw new ReadBudgetError('bytes', this.limits);
  }

  /** Counts snapshots kept in memory; throws past the budget. */
  hold(count: number): void {
    this.snapshots += count;
    if (this.snapshots > this.limits.maxSnapshots) throw new ReadBudgetError('snapshots', this.limits);
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
