import { describe, expect, it } from 'vitest';
import { redact } from '../src/redact.js';

const TOKEN = 'dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('redact', () => {
  it('removes the token however an upstream echoes it', () => {
    const echoes = [
      TOKEN,
      TOKEN.toUpperCase(),
      `Bearer ${TOKEN}`,
      Buffer.from(TOKEN).toString('base64'),
      Buffer.from(TOKEN).toString('base64url'),
      Buffer.from(`Authorization: Bearer ${TOKEN}`).toString('base64'),
      Buffer.from(`x${TOKEN}`).toString('base64'),
      Buffer.from(`xy${TOKEN}yx`).toString('base64url'),
    ];
    for (const echo of echoes) {
      const text = redact(`upstream said: ${echo}.`, TOKEN);
      expect(text).toContain('[REDACTED]');
      expect(text.toLowerCase()).not.toContain(TOKEN.slice(10, 30).toLowerCase());
      const decoded = Buffer.from(text.replace(/^upstream said: |\.$/g, '').replace('[REDACTED]', ''), 'base64').toString('latin1');
      expect(decoded).not.toContain(TOKEN.slice(12, 40));
    }
  });

  it('leaves text alone for a missing or too short secret, and text without the secret', () => {
    expect(redact('abc abc', 'a')).toBe('abc abc');
    expect(redact('abc', undefined)).toBe('abc');
    expect(redact('nothing here', TOKEN)).toBe('nothing here');
  });

  it('treats the secret as text, not as a pattern', () => {
    expect(redact('a.b*c+d(e)f and axbxcxd', 'a.b*c+d(e)f')).toBe('[REDACTED] and axbxcxd');
  });
});
