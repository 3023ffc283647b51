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

export function fits(answer: Answer<unknown>, budget = ANSWER_BUDGET_CHARS): boolean {
  return answer.text.length <= budget && JSON.stringify(answer.structuredContent).length <= budget;
}

/**
 * The answer listing the most rows, at most `rows`, whose text and JSON each stay within the
 * budget. `build(n)` must grow with n; an answer that cannot fit even one row is a bug in the
 * bounds that make rows small (snapshots/clip.ts), not something to hide.
 */
export function fitRows<T>(rows: number, build: (listed: number) => Answer<T>, budget = ANSWER_BUDGET_CHARS): Answer<T> {
  const whole = build(rows);
  if (fits(whole, budget)) return whole;
  let low = 0; // fits (checked below)
  let high = rows; // does not fit
  let best = build(0);
  if (!fits(best, budget) || rows === 0) throw new Error(`an answer without rows is over the ${budget}-character budget`);
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    const answer = build(middle);
    if (fits(answer, budget)) [low, best] = [middle, answer];
    else high = middle;
  }
  if (low === 0) throw new Error(`one row does not fit the ${budget}-character budget`);
  return best;
}
