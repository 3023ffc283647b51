/**
 * The first `length` characters of the base64url SHA-256 of `text`: a short, fixed-size stand-in.
 * node:crypto is loaded on first use (process.getBuiltinModule), not at start-up: about 2 ms of it.
 */
export function shortDigest(text: string, length: number): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(text).digest('base64url').slice(0, length);
}
