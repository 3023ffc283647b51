/**
 * The one gate every API string passes before it enters an answer, in both halves: the text and
 * structuredContent (which Claude Code and VS Code hand the model as JSON). Snapshot names, ids,
 * regions, tags, types and the API's error messages are written by whoever controls the account
 * or the upstream: without this, a name could add lines ("More exist ... cursor=", fake rows,
 * "SYSTEM: ...") or carry text no one sees (bidi and zero-width marks, tag characters, variation
 * selectors, fillers) to the model.
 *
 * CR, LF and tab become spaces (a row stays one row, a cell one cell); removed: the Unicode
 * categories Cc, Cf, Co, Cs, Zl and Zp (controls, format characters, private use, lone
 * surrogates, line and paragraph separators), every Default_Ignorable_Code_Point (variation
 * selectors, Hangul fillers, the combining grapheme joiner, tag characters...) and the 66
 * noncharacters; a run of combining marks keeps its first MAX_MARKS. Every visible character is
 * kept as it was.
 */
const FLATTEN = /[\r\n\t]/g;
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u{FDD0}-\u{FDEF}\u{FFFE}\u{FFFF}\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/gu;
/** Marks one character may carry: any script's real stacks (Vietnamese, Hebrew points), no "Zalgo" towers. */
const MAX_MARKS = 4;
const STACKED = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, 'gu');
// Most strings are plain ASCII: skip the Unicode passes for them.
const PLAIN = /^[\x20-\x7e]*$/;

/** Printable ASCII only: sanitize() leaves it as it is. */
export function isPlain(value: string): boolean {
  return PLAIN.test(value);
}

export function sanitize(value: string): string {
  if (PLAIN.test(value)) return value;
  return value.replace(FLATTEN, ' ').replace(INVISIBLE, '').replace(STACKED, '$1');
}
