import * as z from 'zod';
import { shortDigest } from '../digest.js';

/**
 * An opaque continuation token: base64url JSON naming the query it continues, the position to
 * continue from, the account view it was read from (so a continuation over a live view is exact by
 * construction), and a short hash of the last snapshot's id (so elsewhere a sorted scan finds its
 * place again when the account changed in between, and any id gives a cursor of bounded size).
 * It holds no state on the server, so it works across restarts and stateless HTTP instances. Its
 * checksum catches a cursor that was cut or edited by mistake; it is not a signature, and nothing a
 * cursor can say reaches further than the arguments of the call that carries it.
 */

export interface CursorState {
  /** Index in the (filtered, sorted) list of the first snapshot not yet returned. */
  offset: number;
  /** anchorOf() the id of the snapshot just before `offset`. */
  anchor: string | undefined;
  /** The account view the list was read from, where one was (account-views.ts). */
  view?: string | undefined;
}

const cursorBody = z.strictObject({
  v: z.literal(2),
  /** Readable description of the query, for error messages. */
  q: z.string(),
  o: z.int().nonnegative(),
  a: z
    .string()
    .regex(/^[\w-]{16}$/)
    .optional(),
  w: z
    .string()
    .regex(/^[\w-]{12}$/)
    .optional(),
  /** Checksum of the fields above. */
  h: z.string(),
});
type CursorBody = z.output<typeof cursorBody>;

export class CursorError extends Error {
  override name = 'CursorError';
}

const START_OVER = 'pass next_cursor exactly as returned, or leave cursor out to start over';

/** The arguments that define the list; `undefined` values are left out, key order does not matter. */
export function describeQuery(args: Record<string, unknown>): string {
  return Object.keys(args)
    .filter((key) => args[key] !== undefined)
    .sort()
    .map((key) => `${key}=${String(args[key])}`)
    .join(',');
}

/** A fixed-size stand-in for a snapshot id inside cursors. */
export function anchorOf(id: string): string {
  return shortDigest(id, 16);
}

export function encodeCursor(query: string, state: CursorState): string {
  const fields = {
    v: 2 as const,
    q: query,
    o: state.offset,
    ...(state.anchor !== undefined && { a: state.anchor }),
    ...(state.view !== undefined && { w: state.view }),
  };
  const body: CursorBody = { ...fields, h: checksum(fields) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeCursor(cursor: string, query: string): CursorState {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError(`the cursor is not one this server made (it does not decode); ${START_OVER}`);
  }
  const parsed = cursorBody.safeParse(json);
  if (!parsed.success) throw new CursorError(`the cursor is damaged or from another version; ${START_OVER}`);
  const { h, ...fields } = parsed.data;
  if (h !== checksum(fields)) throw new CursorError(`the cursor was cut or changed (its checksum does not match); ${START_OVER}`);
  if (fields.q !== query) {
    throw new CursorError(
      `the cursor belongs to different arguments (${fields.q || 'no filters'}) than this call (${query || 'no filters'}); ` +
        'call again with the same arguments as the call that returned it (only limit, per_page and response_format may change), or leave cursor out to start over',
    );
  }
  return { offset: fields.o, anchor: fields.a, view: fields.w };
}

function checksum(fields: Omit<CursorBody, 'h'>): string {
  return shortDigest(`do-snapshots-cursor:${JSON.stringify([fields.v, fields.q, fields.o, fields.a ?? null, fields.w ?? null])}`, 12);
}
