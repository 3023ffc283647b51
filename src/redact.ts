/**
 * The last line of defence before text leaves the process: every form of a secret that an
 * upstream could echo back is replaced. Forms: the secret in any letter case, and its base64 and
 * base64url encodings at each of the three byte alignments (an echo may encode it inside a larger
 * string, such as "Bearer <token>"). Secrets shorter than MIN_SECRET_LENGTH are never real tokens
 * (config.ts refuses them) and are not searched for: redacting one character would blank the logs.
 */
export const MIN_SECRET_LENGTH = 8;

const patterns = new Map<string, RegExp>();

/** The text with every form of each secret (one, or every token a process with several accounts holds) replaced. */
export function redact(text: string, secret: string | readonly string[] | undefined): string {
  if (typeof secret !== 'string') {
    let clean = text;
    for (const one of secret ?? []) clean = redact(clean, one);
    return clean;
  }
  if (secret.length < MIN_SECRET_LENGTH) return text;
  let pattern = patterns.get(secret);
  if (!pattern) {
    pattern = new RegExp([secret, ...encodedForms(secret)].map(escapeRegExp).join('|'), 'gi');
    // A process sees a handful of tokens (its accounts', one per HTTP request): keep the cache small.
    if (patterns.size > 128) patterns.clear();
    patterns.set(secret, pattern);
  }
  return text.replace(pattern, '[REDACTED]');
}

/** The part of base64(…secret…) that does not depend on the bytes around the secret. */
function encodedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    // Drop the group that mixes in the bytes before, and the one that may mix in the bytes after.
    const stable = encoded.slice(offset === 0 ? 0 : 4, encoded.length - 4);
    if (stable.length >= MIN_SECRET_LENGTH) forms.push(stable, stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
