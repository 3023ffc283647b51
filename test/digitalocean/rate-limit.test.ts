import { describe, expect, it } from 'vitest';
import { readRateLimit, retryAfterSeconds } from '../../src/digitalocean/rate-limit.js';

describe('retryAfterSeconds', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');

  it('reads retry-after as seconds, rounding up', () => {
    expect(retryAfterSeconds({ 'retry-after': '29' }, now)).toBe(29);
    expect(retryAfterSeconds({ 'retry-after': '0.2' }, now)).toBe(1);
  });

  it('reads retry-after as an HTTP date', () => {
    expect(retryAfterSeconds({ 'retry-after': 'Sun, 29 Nov 2026 12:01:30 GMT' }, now)).toBe(90);
  });

  it('falls back to ratelimit-reset only when the quota is spent', () => {
    expect(retryAfterSeconds({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(now / 1000 + 300) }, now)).toBe(300);
    expect(retryAfterSeconds({ 'ratelimit-remaining': '5', 'ratelimit-reset': String(now / 1000 + 300) }, now)).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': 'garbage' }, now)).toBeUndefined();
  });

  it('clamps what it is told to at most a day, and ignores what the API does not write', () => {
    const day = 86_400;
    // Absurd but well-formed: a day at most, whatever the header says.
    expect(retryAfterSeconds({ 'retry-after': '9999999999999999' }, now)).toBe(day);
    expect(retryAfterSeconds({ 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }, now)).toBe(day);
    expect(retryAfterSeconds({ 'ratelimit-remaining': '0', 'ratelimit-reset': '1e300' }, now)).toBe(day);
    expect(retryAfterSeconds({ 'ratelimit-remaining': '0', 'ratelimit-reset': '9e15' }, now)).toBe(day);
    // A date in the past is no wait at all.
    expect(retryAfterSeconds({ 'retry-after': 'Sun, 29 Nov 2026 11:00:00 GMT' }, now)).toBe(0);
    // Not seconds as the API writes them, nor an HTTP date: no stated wait.
    for (const odd of ['1e308', '9e15', '-5', 'Infinity', '0x10', '29 seconds', '2026-11-29T12:01:00Z']) {
      expect(retryAfterSeconds({ 'retry-after': odd }, now), odd).toBeUndefined();
    }
  });
});

describe('readRateLimit', () => {
  it('reads the three headers, leaving out what is missing or not a number', () => {
    expect(readRateLimit({ 'ratelimit-limit': '5000', 'ratelimit-remaining': '4816', 'ratelimit-reset': '1444931833' })).toEqual({
      limit: 5000,
      remaining: 4816,
      reset: 1444931833,
    });
    expect(readRateLimit({ 'ratelimit-remaining': '', 'ratelimit-limit': 'lots' })).toEqual({
      limit: undefined,
      remaining: undefined,
      reset: undefined,
    });
  });
});
