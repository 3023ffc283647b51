import { shortDigest } from '../digest.js';
import { KEY_PREFIX, type SharedStore } from '../store/shared-store.js';
import { HOUR_MS, MINUTE_MS, type QuotaLedger, type QuotaState } from './quota.js';

/**
 * Each token's quota kept together by the replicas, in the shared store: the send times of the last
 * minute (a sorted set) and the hour's budget and a 429's wait (a hash), under keys from a hash of
 * the owner, never the token. Each step is one Lua script, so two replicas never both take the last
 * request of a minute. A store that does not answer gives undefined: the replica then counts alone.
 */
export class RedisQuotaLedger implements QuotaLedger {
  constructor(private readonly store: SharedStore) {}

  async take(owner: string, now: number, perMinute: number): Promise<number | undefined> {
    const member = `${now}:${Math.random().toString(36).slice(2)}`;
    const answer = await this.store.script(TAKE, keys(owner), [now, perMinute, member, MINUTE_MS, HOUR_MS]);
    return typeof answer === 'number' ? answer : undefined;
  }

  async read(owner: string, now: number): Promise<QuotaState | undefined> {
    const answer = await this.store.script(READ, keys(owner), [now, MINUTE_MS]);
    if (!Array.isArray(answer) || answer.length !== 4 || !Array.isArray(answer[0])) return undefined;
    const [sent, remaining, reset, blocked] = answer as [unknown[], unknown, unknown, unknown];
    const number = (value: unknown) => (value === null || value === false || value === undefined ? undefined : Number(value));
    const times = sent.map(Number);
    if (times.some((time) => !Number.isFinite(time))) return undefined;
    return { sent: times, hourRemaining: number(remaining), hourResetAt: number(reset), blockedUntil: number(blocked) ?? 0 };
  }

  async observe(owner: string, state: Partial<Omit<QuotaState, 'sent'>>): Promise<void> {
    const field = (value: number | undefined) => (value === undefined ? '' : String(value));
    await this.store.script(OBSERVE, keys(owner), [
      'hourRemaining' in state ? field(state.hourRemaining) : '-',
      'hourResetAt' in state ? field(state.hourResetAt) : '-',
      field(state.blockedUntil),
      HOUR_MS,
    ]);
  }
}

function keys(owner: string): string[] {
  const key = shortDigest(`quota|${owner}`, 32);
  return [`${KEY_PREFIX}quota:${key}:sent`, `${KEY_PREFIX}quota:${key}:hour`];
}

// KEYS: the send times, the hour. ARGV: now, per minute (0: no cap), a member, the minute, the hour.
// Returns 0 when the request is counted, else the earliest time one more would be taken.
const TAKE = `
local now, cap, minute, hour = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - minute)
local at = now
local blocked = tonumber(redis.call('HGET', KEYS[2], 'blocked') or '0') or 0
if blocked > at then at = blocked end
local remaining = tonumber(redis.call('HGET', KEYS[2], 'remaining') or '')
if remaining and remaining <= 0 then
  local reset = tonumber(redis.call('HGET', KEYS[2], 'reset') or '') or (now + hour)
  if reset > at then at = reset end
end
if cap > 0 then
  local count = redis.call('ZCARD', KEYS[1])
  if count >= cap then
    local oldest = redis.call('ZRANGE', KEYS[1], count - cap, count - cap, 'WITHSCORES')
    local free = tonumber(oldest[2]) + minute
    if free > at then at = free end
  end
end
if at > now then return at end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], minute)
if remaining then redis.call('HSET', KEYS[2], 'remaining', remaining - 1) end
redis.call('PEXPIRE', KEYS[2], hour)
return 0`;

// KEYS: the send times, the hour. ARGV: now, the minute. Returns the send times, remaining, reset, blocked.
const READ = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local times = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local sent = {}
for i = 2, #times, 2 do sent[#sent + 1] = times[i] end
local hour = redis.call('HMGET', KEYS[2], 'remaining', 'reset', 'blocked')
return {sent, hour[1], hour[2], hour[3]}`;

// KEYS: the send times, the hour. ARGV: remaining ('-': unchanged, '': unknown), reset (the same), blocked until ('': none), the hour.
const OBSERVE = `
if ARGV[1] ~= '-' then
  if ARGV[1] == '' then redis.call('HDEL', KEYS[2], 'remaining') else redis.call('HSET', KEYS[2], 'remaining', ARGV[1]) end
end
if ARGV[2] ~= '-' then
  if ARGV[2] == '' then redis.call('HDEL', KEYS[2], 'reset') else redis.call('HSET', KEYS[2], 'reset', ARGV[2]) end
end
if ARGV[3] ~= '' then
  local blocked = tonumber(redis.call('HGET', KEYS[2], 'blocked') or '0') or 0
  if tonumber(ARGV[3]) > blocked then redis.call('HSET', KEYS[2], 'blocked', ARGV[3]) end
end
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
return 0`;
