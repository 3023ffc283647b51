import { clipString } from '../snapshots/clip.js';

/**
 * The one gate every API string passes before it enters text a model reads. Snapshot names, ids,
 * regions, tags, types, dates and the API's error messages are written by whoever controls the
 * account or the upstream: without this, a name could add lines ("More exist ... cursor=", fake rows,
 * "SYSTEM: ...") or hide text behind bidi and zero-width marks.
 *
 * CR, LF and tab become spaces (a row stays one row, a cell one cell); removed: the Unicode
 * categories Cc, Cf, Co, Cs, Zl and Zp (controls, format characters such as bidi and zero-width
 * marks and tag characters, private use, lone surrogates, line and paragraph separators) and the
 * 66 noncharacters. structuredContent keeps the API's values; only text is sanitised.
 */
const FLATTEN = /[\r\n\t]/g;
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\u{FDD0}-\u{FDEF}\u{FFFE}\u{FFFF}\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/gu;
// Most strings are plain ASCII: skip the Unicode pass for them.
const PLAIN = /^[\x20-\x7e]*$/;

export function sanitize(value: string): string {
  if (PLAIN.test(value)) return value;
  return value.replace(FLATTEN, ' ').replace(FORBIDDEN, '');
}

/** A free-form string from the API (an error message, a request id) as text shows it: cut, then sanitised. */
export function apiText(value: string): string {
  return sanitize(clipString(value));
}
