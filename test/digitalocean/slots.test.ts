import { describe, expect, it } from 'vitest';
import { Slots } from '../../src/digitalocean/slots.js';

describe('Slots', () => {
  it('holds at most its size, and hands slots on first come, first served', async () => {
    const slots = new Slots(2);
    const first = await slots.acquire();
    const second = await slots.acquire();
    const order: string[] = [];
    const third = slots.acquire().then((release) => {
      order.push('third');
      return release;
    });
    const fourth = slots.acquire().then((release) => {
      order.push('fourth');
      return release;
    });
    expect(slots.load).toEqual({ held: 2, waiting: 2 });
    second();
    second(); // giving a slot back twice frees it once
    (await third)();
    first();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
    expect(slots.load).toEqual({ held: 0, waiting: 0 });
  });

  it('lets a waiter whose call ended leave the queue, and refuses one already ended', async () => {
    const slots = new Slots(1);
    const held = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    expect(slots.load).toEqual({ held: 1, waiting: 0 });
    await expect(slots.acquire(controller.signal)).rejects.toThrow('deadline');
    held();
    expect(slots.load).toEqual({ held: 0, waiting: 0 });
  });
});
