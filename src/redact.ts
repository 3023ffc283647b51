/** Replaces every occurrence of the secret in text; a last line of defence before anything is shown. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('[REDACTED]');
}
