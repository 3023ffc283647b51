import { describe, expect, it } from 'vitest';
import { MemoryBudget, ServerBusyError } from '../../src/digitalocean/memory.js';

const far = () => Date.now() + 60_000;
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('MemoryBudget', () => {
  it('counts what holds use, reclaims kept views for room, and counts a page read even past the budget', () => {
    const budget = new MemoryBudget(100);
    // A kept view of 20 bytes, which reclaiming drops.
    const view = budget.open(far());
    view.use(20);
    budget.reclaim = () => {
      const freed = view.bytes;
      view.release();
      return freed;
    };
    const a = budget.open(far());
    a.use(60);
    const b = budget.open(Date.now() + 5_000);
    b.use(40);
    // Over by 20: the view went to make room.
    expect(budget.bytesHeld).toBe(100);
    expect(view.bytes).toBe(0);
    // A page already read is counted, even past the budget; the next reservation waits for room.
    a.use(10);
    expect(budget.bytesHeld).toBe(110);
    b.release();
    b.release();
    expect(budget.bytesHeld).toBe(70);
    a.release();
    expect(budget.bytesHeld).toBe(0);
  });

  it('says when room is due: the earliest end among the holders', async () => {
    const budget = new MemoryBudget(100);
    budget.open(Date.now() + 20_000).use(60);
    const soon = budget.open(Date.now() + 5_000);
    soon.use(40);
    const refused = await budget
      .open(far())
      .reserve(50, undefined, Date.now() + 40)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServerBusyError);
    expect((refused as ServerBusyError).roomAt).toBe(soon.until);
  });

  it('makes reservations wait in turn, and grants them as room comes back', async () => {
    const budget = new MemoryBudget(100);
    const first = budget.open(far());
    first.use(90);
    const order: string[] = [];
    const second = budget.open(far());
    const third = budget.open(far());
    const waits = [
      second.reserve(50, undefined, far()).then(() => order.push('second')),
      third.reserve(10, undefined, far()).then(() => order.push('third')),
    ];
    await settle();
    // The third would fit beside the first, but does not overtake the second.
    expect(order).toEqual([]);
    first.release();
    await Promise.all(waits);
    expect(order).toEqual(['second', 'third']);
    expect(budget.bytesHeld).toBe(60);
  });

  it('answers busy once half the time to the deadline is gone, and never for a need over the whole budget', async () => {
    const budget = new MemoryBudget(100);
    budget.open(Date.now() + 30_000).use(100);
    const waiting = budget.open(far()).reserve(50, undefined, Date.now() + 40);
    await expect(waiting).rejects.toBeInstanceOf(ServerBusyError);
    await expect(budget.open(far()).reserve(101, undefined, far())).rejects.toMatchObject({ never: true });
  });

  it('a cancelled wait leaves the queue, and the next in line goes on', async () => {
    const budget = new MemoryBudget(100);
    const first = budget.open(far());
    first.use(80);
    const controller = new AbortController();
    const cancelled = budget.open(far()).reserve(90, controller.signal, far());
    const next = budget.open(far());
    const granted = next.reserve(20, undefined, far());
    controller.abort(new Error('cancelled'));
    await expect(cancelled).rejects.toThrow('cancelled');
    await granted;
    expect(budget.bytesHeld).toBe(100);
  });
});
