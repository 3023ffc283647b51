/**
 * One size budget per answer, held by each half: clients pass the model the text, or
 * JSON.stringify(structuredContent), or both, and Claude Code moves a result past its ceiling into
 * a file. Declared to clients as `_meta["anthropic/maxResultSizeChars"]`.
 */
export const ANSWER_BUDGET_CHARS = 40_000;
export const BUDGET_META = { 'anthropic/maxResultSizeChars': ANSWER_BUDGET_CHARS };

export interface Answer<T> {
  text: string;
  structuredContent: T;
}

/** The larger of the two halves' lengths: the answer fits when this is within the budget. */
function sizeOf(answer: Answer<unknown>): number {
  return Math.max(answer.text.length, JSON.stringify(answer.structuredContent).length);
}

/**
 * The answer listing the most rows, at most `rows`, whose text and JSON each stay within the
 * budget. `build(n)` must grow with n; an answer that cannot fit even one row is a bug in the
 * bounds that make rows small (snapshots/clip.ts), not something to hide.
 *
 * Rows are about the same size, so the search starts where the sizes of no rows and of all of them
 * say the budget runs out, gallops from there (1, 2, 4... rows) until the last row that fits is
 * bracketed, then bisects: a few builds of about the answer's size, where a bisection from the
 * whole list builds one of up to every row at each of its steps. Uneven rows cost at most twice a
 * bisection.
 */
export function fitRows<T>(rows: number, build: (listed: number) => Answer<T>, budget = ANSWER_BUDGET_CHARS): Answer<T> {
  const whole = build(rows);
  const wholeSize = sizeOf(whole);
  if (wholeSize <= budget) return whole;
  let best = build(0);
  const noneSize = sizeOf(best);
  if (noneSize > budget || rows === 0) throw new Error(`an answer without rows is over the ${budget}-character budget`);
  let low = 0; // fits
  let high = rows; // does not fit
  const fitsWith = (listed: number): boolean => {
    const answer = build(listed);
    if (sizeOf(answer) > budget) {
      high = listed;
      return false;
    }
    [low, best] = [listed, answer];
    return true;
  };
  const guess = Math.floor((rows * (budget - noneSize)) / (wholeSize - noneSize));
  const up = fitsWith(Math.min(rows - 1, Math.max(1, guess)));
  for (let step = 1; high - low > 1; step *= 2) {
    const next = up ? low + step : high - step;
    if (next <= low || next >= high || fitsWith(next) !== up) break;
  }
  while (high - low > 1) fitsWith((low + high) >> 1);
  if (low === 0) throw new Error(`one row does not fit the ${budget}-character budget`);
  return best;
}
