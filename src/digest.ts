/**
 * The first `length` characters of the base64url SHA-256 of `text`: a short, fixed-size stand-in.
 * node:crypto is loaded on first use (process.getBuiltinModule), not at start-up: about 2 ms of it.
 */
export function shortDigest(text: string, length: number): string {
  // The one-shot hash (Node 20.12 and later): no Hash object per digest, and a call makes a few.
  return process.getBuiltinModule('node:crypto').hash('sha256', text, 'base64url').slice(0, length);
}
