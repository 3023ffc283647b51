import type { CallToolResult } from '@modelcontextprotocol/server';
import { expect } from 'vitest';
import { listAnswerAcross, type ListAnswer } from '../src/snapshots/answers.js';
import { textOf } from './helpers.js';

/**
 * Checks of what a model reads, written apart from src/format so that a bug there cannot hide in
 * the expectation: the characters text must never hold, and the line grammar of a list answer.
 */

// An independent statement of what text must never hold: Unicode's categories and the
// Default_Ignorable_Code_Point property by their long names, noncharacters and lone surrogates by
// arithmetic. \n and \t are the text's own structure.
const CATEGORIES =
  /\p{General_Category=Control}|\p{General_Category=Format}|\p{General_Category=Private_Use}|\p{General_Category=Line_Separator}|\p{General_Category=Paragraph_Separator}|\p{Default_Ignorable_Code_Point}/u;
const MARK = /^\p{General_Category=Mark}$/u;
/** Combining marks one character may carry in an answer. */
export const MARKS_KEPT = 4;

export function isForbidden(codePoint: number, char: string): boolean {
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return true;
  if ((codePoint & 0xfffe) === 0xfffe || (codePoint >= 0xfdd0 && codePoint <= 0xfdef)) return true;
  return CATEGORIES.test(char);
}

export function forbiddenIn(text: string): string[] {
  const found: string[] = [];
  for (const char of text) {
    if (char === '\n' || char === '\t') continue;
    if (isForbidden(char.codePointAt(0)!, char)) found.push(`U+${char.codePointAt(0)!.toString(16).toUpperCase()}`);
  }
  return found;
}

/** What an API string must look like in either half: breaks flattened, forbidden characters gone, mark runs cut short. */
export function clean(value: string): string {
  let out = '';
  let marks = 0;
  for (const char of value.replace(/[\r\n\t]/g, ' ')) {
    if (isForbidden(char.codePointAt(0)!, char)) continue;
    marks = MARK.test(char) ? marks + 1 : 0;
    if (marks <= MARKS_KEPT) out += char;
  }
  return out;
}

/** Mark runs longer than MARKS_KEPT, and forbidden characters, in every string of a JSON value. */
export function hiddenInJson(value: unknown): string[] {
  const found: string[] = [];
  JSON.stringify(value, (key, item: unknown) => {
    for (const text of [key, item]) {
      if (typeof text !== 'string') continue;
      found.push(...forbiddenIn(text.replace(/[\n\t]/g, 'U+NEWLINE')).map((code) => `${code} in ${JSON.stringify(text.slice(0, 40))}`));
      if (/[\n\t]/.test(text) || new RegExp(`\\p{M}{${MARKS_KEPT + 1}}`, 'u').test(text))
        found.push(`break or stacked marks in ${JSON.stringify(text.slice(0, 40))}`);
    }
    return item;
  });
  return found;
}

/** The answer's strings as both halves show them: cut at 1,024 characters with an ellipsis. */
export function cut(value: string): string {
  return value.length > 1024 ? `${value.slice(0, 1023)}…` : value;
}

/**
 * The whole text, line by line, against the grammar of a list answer: a headline, the summary,
 * each warning, the one continuation line, then the rows. Any other line is forged.
 */
export function expectListText(text: string, answer: ListAnswer): void {
  expect(forbiddenIn(text)).toEqual([]);
  const lines = text.split('\n');
  let at = 0;
  expect(lines[at++]).toMatch(/^(\d[\d,]* of [\d,]+ |No )/);
  if (answer.accounts) {
    const each = Object.entries(answer.accounts).map(([name, status]) =>
      status === 'ok' ? `${name} ok` : `${name} not read: ${clean(status)}`,
    );
    expect(lines[at++]).toBe(`Accounts: ${each.join('; ')}.`);
  }
  if (answer.summary && answer.summary.matched > 0) {
    const { matched, total_gb, monthly_cost_usd } = answer.summary;
    const dollars = monthly_cost_usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(lines[at++]).toBe(
      `All ${matched.toLocaleString('en-US')} matching: ${total_gb.toLocaleString('en-US', { maximumFractionDigits: 2 })} GB, about $${dollars} a month at $0.06 per GB-month.`,
    );
    if (answer.summary.by_account) {
      const money = (value: number) => `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
      const each = Object.entries(answer.summary.by_account).map(
        ([name, part]) =>
          `${name} ${part.count.toLocaleString('en-US')} (${part.gb.toLocaleString('en-US', { maximumFractionDigits: 2 })} GB, ${money(part.monthly_cost_usd)})`,
      );
      expect(lines[at++]).toBe(`By account: ${each.join(', ')}.`);
    }
    expect(lines[at++]).toMatch(/^By type: .*\. By region \(a snapshot in several regions counts in each\): .*\.$/);
    expect(lines[at++]).toMatch(/^Oldest .*; newest .*; largest .* GB\)\.$/);
  }
  for (const warning of answer.warnings ?? []) expect(lines[at++]).toBe(`Warning: ${clean(warning)}`);
  if (answer.next_cursor !== undefined) {
    expect(lines[at++]).toMatch(
      new RegExp(
        `^More exist: call again with the same arguments and cursor="${answer.next_cursor}"(, or raise limit \\(up to 1,000\\))?\\.$`,
      ),
    );
  } else {
    expect(answer.truncated).toBe(false);
  }
  if (answer.count > 0) {
    expect(lines[at++]).toBe('');
    expect(lines[at++]).toMatch(
      /^Rows: type D = Droplet snapshot, V = volume snapshot(; tags \? = not visible \(the token lacks tag:read\))?\.$/,
    );
    const named = answer.snapshots[0]!.account !== undefined;
    const header = lines[at++]!.replace(named ? /^account\t/ : /^/, '');
    const detailed = header === 'id\tname\ttype\tGB\tmin_disk_gb\tregions\tcreated_at\tresource_id\ttags';
    if (!detailed) expect(header).toBe('id\tname\ttype\tGB\tregions\tcreated\ttags');
    for (const snapshot of answer.snapshots) {
      const cells = lines[at++]!.split('\t');
      // Rows of a server with several accounts start with the account.
      if (named) expect(cells.shift()).toBe(snapshot.account);
      expect(cells).toHaveLength(detailed ? 9 : 7);
      expect(cells[0]).toBe(clean(snapshot.id));
      expect(cells[1]).toBe(clean(snapshot.name));
      if (detailed) expect(Number(cells[3])).toBe(snapshot.size_gigabytes);
      else expect(Math.abs(Number(cells[3]) - snapshot.size_gigabytes)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(cells.at(-1)).toBe(snapshot.tags === null ? '?' : snapshot.tags.length ? clean(snapshot.tags.join(',')) : '-');
    }
  }
  expect(at).toBe(lines.length);
  // The headline's first number is the count of rows listed.
  if (answer.count > 0) expect(Number(lines[0]!.split(' ')[0]!.replace(/,/g, ''))).toBe(answer.count);
}

/** Each half within the budget, the JSON valid, and the text the same answer. */
export function expectOneAnswer(budget: number, result: CallToolResult): ListAnswer {
  expect(result.isError, textOf(result)).toBeFalsy();
  const text = textOf(result);
  const json = JSON.stringify(result.structuredContent);
  expect(text.length).toBeLessThanOrEqual(budget);
  expect(json.length).toBeLessThanOrEqual(budget);
  const answer = listAnswerAcross.parse(result.structuredContent);
  expect(hiddenInJson(result.structuredContent)).toEqual([]);
  expectListText(text, answer);
  // Every dollar figure in the text is a number the JSON carries.
  const numbers = new Set<number>();
  JSON.stringify(result.structuredContent, (_key, value: unknown) => {
    if (typeof value === 'number') numbers.add(value);
    return value;
  });
  for (const [, figure] of text.matchAll(/\$([\d,]+(?:\.\d+)?)/g)) expect(numbers).toContain(Number(figure!.replace(/,/g, '')));
  return answer;
}
