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

// The JSON of the structuredContent fits() last measured, by the first object among its values: the
// SDK hands the transport a copy of an answer's top level (it validates results), whose values are
// the same objects.
const measured = new WeakMap<object, { structured: object; json: string }>();

function anchorOf(structured: object): object | undefined {
  for (const value of Object.values(structured)) if (typeof value === 'object' && value !== null) return value;
  return undefined;
}

/**
 * The JSON fits() wrote of a structuredContent with these very values (the same keys in the same
 * order, each value identical), so stdio need not write it again (stdio/transport.ts); else undefined.
 */
export function measuredJson(structured: object): string | undefined {
  const anchor = anchorOf(structured);
  const entry = anchor && measured.get(anchor);
  if (!entry) return undefined;
  const keys = Object.keys(structured);
  const before = Object.keys(entry.structured);
  const same =
    keys.length === before.length &&
    keys.every((key, i) => key === before[i] && (structured as Record<string, unknown>)[key] === (entry.structured as Record<string, unknown>)[key]);
  return same ? entry.json : undefined;
}

export function fits(answer: Answer<unknown>, budget = ANSWER_BUDGET_CHARS): boolean {
  if (answer.text.length > budget) return false;
  const json = JSON.stringify(answer.structuredContent);
  const anchor = anchorOf(answer.structuredContent as object);
  if (anchor) measured.set(anchor, { structured: answer.structuredContent as object, json });
  return json.length <= budget;
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
