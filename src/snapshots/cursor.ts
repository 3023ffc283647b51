import { createHash } from 'node:crypto';

/**
 * An opaque continuation token: base64url JSON that names the query it belongs to, the position
 * to continue from, and the id of the last snapshot returned (so a sorted scan can find its place
 * again even when the account changed in between).
 */

export interface CursorState {
  /** Index in the (filtered, sorted) list of the first snapshot not yet returned. */
  offset: number;
  /** Id of the snapshot just before `offset`. */
  after: string | undefined;
}

interface CursorBody {
  v: 1;
  /** Readable description of the query, for humans and error messages. */
  q: string;
  /** Fingerprint of that description: a cursor only continues the query that made it. */
  h: string;
  o: number;
  a?: string;
}

export class CursorError extends Error {
  override name = 'CursorError';
}

/** The arguments that define the list; `undefined` values are left out, key order does not matter. */
export function describeQuery(args: Record<string, unknown>): string {
  return Object.keys(args)
    .filter((key) => args[key] !== undefined)
    .sort()
    .map((key) => `${key}=${String(args[key])}`)
    .join(',');
}

export function encodeCursor(query: string, state: CursorState): string {
  const body: CursorBody = { v: 1, q: query, h: fingerprint(query), o: state.offset, ...(state.after !== undefined && { a: state.after }) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeCursor(cursor: string, query: string): CursorState {
  let body: Partial<CursorBody>;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    throw new CursorError('the cursor is not one this server made (it does not decode); pass next_cursor exactly as returned, or leave cursor out to start over');
  }
  if (body?.v !== 1 || typeof body.q !== 'string' || typeof body.h !== 'string' || !Number.isSafeInteger(body.o) || body.o! < 0) {
    throw new CursorError('the cursor is damaged or from another version; pass next_cursor exactly as returned, or leave cursor out to start over');
  }
  if (body.h !== fingerprint(body.q)) {
    throw new CursorError('the cursor was altered; pass next_cursor exactly as returned, or leave cursor out to start over');
  }
  if (body.q !== query) {
    throw new CursorError(
      `the cursor belongs to different arguments (${body.q || 'no filters'}) than this call (${query || 'no filters'}); ` +
        'call again with the same arguments as the call that returned it (only limit, per_page and response_format may change), or leave cursor out to start over',
    );
  }
  return { offset: body.o!, after: typeof body.a === 'string' ? body.a : undefined };
}

function fingerprint(query: string): string {
  return createHash('sha256').update(`do-snapshots-cursor:${query}`).digest('base64url').slice(0, 12);
}
