import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/digitalocean/schemas.js';
import { generateSnapshots } from '../../src/fake-api/data.js';
import { eachPaced, filterPaced } from '../../src/snapshots/pace.js';
import { nameMatcher, sortSnapshots } from '../../src/snapshots/query.js';
import { SORT_ORDERS } from '../../src/snapshots/list-input.js';
import { nameOk, select } from '../reference.js';

// Characters that a regular expression or a glob could treat specially, letters that change length
// when lower-cased (İ), and a surrogate pair.
const ALPHABET = ['a', 'b', 'A', 'B', '*', '?', '.', '+', '\\', '[', '(', '^', '$', 'é', 'İ', '😀', '-'];
const text = (max: number) => fc.array(fc.constantFrom(...ALPHABET), { maxLength: max }).map((chars) => chars.join(''));

describe('nameMatcher', () => {
  it('agrees with the reference glob for any pattern and name', () => {
    fc.assert(
      fc.property(
        text(24).filter((pattern) => pattern.length > 0),
        fc.array(text(40), { minLength: 1, maxLength: 20 }),
        (pattern, names) => {
          const matches = nameMatcher(pattern);
          for (const name of names)
            expect(matches(name), `${JSON.stringify(pattern)} on ${JSON.stringify(name)}`).toBe(nameOk(name, pattern));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('answers the patterns that make a backtracking engine explode, as the reference does', () => {
    const names = ['a'.repeat(255), `${'*?'.repeat(100)}!`, 'web-01-2024', '!'.repeat(40)];
    for (const pattern of ['**?**?**?**?**?**?!', `${'*?'.repeat(127)}!`, `${'*a'.repeat(127)}b`, `${'?'.repeat(254)}*`, '*'.repeat(255)]) {
      const matches = nameMatcher(pattern);
      for (const name of names) expect(matches(name), pattern).toBe(nameOk(name, pattern));
    }
  });

  it('spans more than one machine word of states (patterns of up to 255 characters)', () => {
    const pattern = `${'ab?'.repeat(40)}*z`;
    const name = `${'abx'.repeat(40)}mmmz`;
    expect(nameMatcher(pattern)(name)).toBe(true);
    expect(nameMatcher(pattern)(name.slice(1))).toBe(false);
    expect(nameOk(name, pattern)).toBe(true);
  });
});

describe('sortSnapshots', () => {
  const snapshot = fc.record({
    name: fc.constantFrom('web', 'Web', 'WEB', 'api', 'Api-2', 'b', 'B', ''),
    created_at: fc.constantFrom('2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z', '2023-06-30T12:00:00Z', '2025-02-03T04:05:06.5Z'),
    size_gigabytes: fc.constantFrom(0, 1.5, 2, 2, 100),
  });
  it.each(SORT_ORDERS)('%s: the reference order, ties in API order', async (order) => {
    await fc.assert(
      fc.asyncProperty(fc.array(snapshot, { maxLength: 60 }), async (fields) => {
        const base = generateSnapshots(fields.length, 2);
        const snapshots: Snapshot[] = fields.map((field, i) => ({ ...base[i]!, ...field, id: String(i) }));
        const sorted = await sortSnapshots(snapshots, order);
        expect(sorted.map((item) => item.id)).toEqual(select(snapshots, { sort: order }).map((item) => item.id));
      }),
      { numRuns: 300 },
    );
  });

  it.each(SORT_ORDERS)('%s over 10,000 snapshots (runs merged across slices): the reference order', async (order) => {
    const base = generateSnapshots(10_000, 5);
    // Names that differ only in case, and equal names, dates and sizes, all across runs.
    const snapshots = base.map((snapshot, i) => ({
      ...snapshot,
      name: i % 7 === 0 ? snapshot.name.toUpperCase() : i % 11 === 0 ? 'same' : snapshot.name,
      created_at: i % 13 === 0 ? '2024-01-01T00:00:00Z' : snapshot.created_at,
      size_gigabytes: i % 5 === 0 ? 10 : snapshot.size_gigabytes,
    }));
    const sorted = await sortSnapshots(snapshots, order);
    expect(sorted.map((item) => item.id)).toEqual(select(snapshots, { sort: order }).map((item) => item.id));
  });
});

describe('passes in slices', () => {
  const spin = () => {
    let x = 0;
    for (let i = 0; i < 2000; i++) x += Math.sqrt(i);
    return x > 0;
  };

  it('let the event loop turn during a long pass', async () => {
    let turned = false;
    setImmediate(() => (turned = true));
    const kept = await filterPaced(
      Array.from({ length: 50_000 }, (_, i) => i),
      (item) => spin() && item % 2 === 0,
    );
    expect(kept).toHaveLength(25_000);
    expect(turned).toBe(true);
  });

  it('stop at the next turn once their call is cancelled', async () => {
    const controller = new AbortController();
    let visited = 0;
    setImmediate(() => controller.abort(new Error('cancelled')));
    await expect(eachPaced(Array.from({ length: 1_000_000 }), () => void (spin() && visited++), controller.signal)).rejects.toThrow(
      'cancelled',
    );
    expect(visited).toBeLessThan(1_000_000);
  });
});
