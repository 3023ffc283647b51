import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Answer, fitRows } from '../../src/tools/budget.js';

/** An answer of the first `listed` rows: a headline that grows with the count, then the rows, in both halves. */
function answers(texts: string[], jsons: string[]) {
  let builds = 0;
  const build = (listed: number): Answer<{ count: number; rows: string[] }> => {
    builds += 1;
    return {
      text: [`${listed} of ${texts.length} rows`, ...texts.slice(0, listed)].join('\n'),
      structuredContent: { count: listed, rows: jsons.slice(0, listed) },
    };
  };
  return { build, builds: () => builds };
}

/** The reference: every count tried from the top, the first that fits both halves wins. */
function mostThatFit(build: (listed: number) => Answer<unknown>, rows: number, budget: number): number | undefined {
  for (let listed = rows; listed >= 0; listed--) {
    const answer = build(listed);
    if (answer.text.length <= budget && JSON.stringify(answer.structuredContent).length <= budget) return listed;
  }
  return undefined;
}

describe('fitRows', () => {
  it('lists the most rows whose text and JSON both fit, for rows of any sizes', () => {
    const row = fc.string({ minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(fc.array(fc.tuple(row, row), { minLength: 1, maxLength: 300 }), fc.integer({ min: 50, max: 20_000 }), (pairs, budget) => {
        const texts = pairs.map(([text]) => text);
        const jsons = pairs.map(([, json]) => json);
        const expected = mostThatFit(answers(texts, jsons).build, pairs.length, budget);
        const { build, builds } = answers(texts, jsons);
        if (expected === undefined || expected === 0) {
          expect(() => fitRows(pairs.length, build, budget)).toThrow(/budget/);
          return;
        }
        expect(fitRows(pairs.length, build, budget).structuredContent.count).toBe(expected);
        // At most twice the steps of a bisection, beside the builds of all rows and of none.
        expect(builds()).toBeLessThanOrEqual(2 + 2 * Math.ceil(Math.log2(pairs.length + 1)) + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('finds the limit of rows of about one size in a handful of builds', () => {
    const texts = Array.from({ length: 1000 }, (_, i) => `row ${i}\t${'x'.repeat(70 + (i % 7))}`);
    const jsons = texts.map((text) => `{"row":${JSON.stringify(text)},"size":${text.length}}`);
    const { build, builds } = answers(texts, jsons);
    const answer = fitRows(1000, build, 40_000);
    expect(answer.structuredContent.count).toBe(mostThatFit(answers(texts, jsons).build, 1000, 40_000));
    expect(builds()).toBeLessThanOrEqual(6);
  });

  it('answers every row when all of them fit, with one build', () => {
    const { build, builds } = answers(['a', 'b'], ['"a"', '"b"']);
    expect(fitRows(2, build, 1000).structuredContent.count).toBe(2);
    expect(builds()).toBe(1);
  });
});
