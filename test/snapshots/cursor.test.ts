import { describe, expect, it } from 'vitest';
import { anchorOf, CursorError, decodeCursor, describeQuery, encodeCursor } from '../../src/snapshots/cursor.js';

const QUERY = describeQuery({ region: 'fra1', sort: 'size_desc', scan: true, name: undefined });
const body = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('describeQuery', () => {
  it('is the same whatever the key order, and leaves out what was not given', () => {
    expect(QUERY).toBe('region=fra1,scan=true,sort=size_desc');
    expect(describeQuery({ sort: 'size_desc', scan: true, region: 'fra1' })).toBe(QUERY);
  });
});

describe('cursors', () => {
  it('round-trip the position and the anchor', () => {
    const cursor = encodeCursor(QUERY, { offset: 120, anchor: anchorOf('6372321') });
    expect(decodeCursor(cursor, QUERY)).toEqual({ offset: 120, anchor: anchorOf('6372321') });
    expect(decodeCursor(encodeCursor('', { offset: 0, anchor: undefined }), '')).toEqual({ offset: 0, anchor: undefined });
  });

  it('stay small whatever the id: the anchor is a 16-character hash', () => {
    const long = encodeCursor(QUERY, { offset: 1, anchor: anchorOf('9'.repeat(100_000)) });
    const short = encodeCursor(QUERY, { offset: 1, anchor: anchorOf('1') });
    expect(long.length).toBe(short.length);
    expect(anchorOf('a')).toMatch(/^[\w-]{16}$/);
    expect(anchorOf('a')).not.toBe(anchorOf('b'));
  });

  it('belong to their query: other arguments are refused with both named', () => {
    const cursor = encodeCursor(QUERY, { offset: 5, anchor: undefined });
    expect(() => decodeCursor(cursor, 'region=ams3,scan=true')).toThrow(
      /different arguments \(region=fra1,scan=true,sort=size_desc\) than this call \(region=ams3,scan=true\)/,
    );
  });

  it.each([
    ['an edited offset', (cursor: string) => encode({ ...body(cursor), o: 999 }), /checksum does not match/],
    [
      'an edited query',
      (cursor: string) => encode({ ...body(cursor), q: 'region=ams3,scan=true,sort=size_desc' }),
      /checksum does not match/,
    ],
    ['an edited anchor', (cursor: string) => encode({ ...body(cursor), a: anchorOf('other') }), /checksum does not match/],
    ['a cut one', (cursor: string) => cursor.slice(0, -8), /does not decode|damaged/],
    ['a negative offset', (cursor: string) => encode({ ...body(cursor), o: -1 }), /damaged or from another version/],
    ['an unknown field', (cursor: string) => encode({ ...body(cursor), x: 1 }), /damaged or from another version/],
    ['version 1', () => encode({ v: 1, q: QUERY, h: 'x', o: 5 }), /damaged or from another version/],
    ['not JSON', () => 'bm90IGpzb24', /does not decode/],
  ])('refuse %s', (_name, damage, message) => {
    const cursor = encodeCursor(QUERY, { offset: 40, anchor: anchorOf('6372321') });
    expect(() => decodeCursor(damage(cursor), QUERY)).toThrow(CursorError);
    expect(() => decodeCursor(damage(cursor), QUERY)).toThrow(message);
  });
});
