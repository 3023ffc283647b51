import type { Redis as RedisClient } from 'ioredis';
import { errorMessage, type Logger } from '../logger.js';
import { redact } from '../redact.js';

/**
 * What replicas share through Redis (or Valkey) when REDIS_URL is set: account views, scan locks
 * and the token's quota. Every operation is bounded in time and never throws: a store that is down,
 * slow or restarting answers "nothing" (a miss, no lock, no write), so each replica then serves from
 * DigitalOcean alone, and sharing resumes when the store answers again. One log line when an outage
 * starts and one when it ends, never one per call. Nothing read from it is trusted before the caller
 * checks it with zod.
 */
export interface SharedStore {
  /** 'ok' while the store answers, 'unreachable' during an outage (for /healthz). */
  readonly state: 'ok' | 'unreachable';
  /** A value; `payload` for a large one (a view), which may take longer than one command. */
  get(key: string, payload?: boolean): Promise<Buffer | undefined>;
  set(key: string, value: Buffer | string, ttlMs: number): Promise<boolean>;
  /** Takes `key` for `ttlMs` if no one holds it (SET NX PX): true when taken here; undefined when the store did not answer. */
  claim(key: string, holder: string, ttlMs: number): Promise<boolean | undefined>;
  /** Gives `key` back if `holder` still holds it. */
  release(key: string, holder: string): Promise<void>;
  /** Keeps `key` for `ttlMs` more if `holder` still holds it. */
  renew(key: string, holder: string, ttlMs: number): Promise<void>;
  /** Runs a Lua script atomically; undefined when the store did not answer. */
  script(source: string, keys: string[], args: (string | number)[]): Promise<unknown>;
  close(): Promise<void>;
}

/** Keys of every value this server writes: its own prefix, and a version that changes with the format. */
export const KEY_PREFIX = 'dosm:1:';

/** A command the store does not answer within this is taken as a fault (it is slow, or gone). */
export const COMMAND_MS = 100;
/** Payloads (a kept view) may take longer to move than one command. */
export const PAYLOAD_MS = 2_000;
/** During an outage, one command a second probes the store; the others are not sent. */
const PROBE_MS = 1_000;

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/**
 * Connects to REDIS_URL (redis:// or rediss://). Loads the Redis client only now: a server without
 * REDIS_URL never loads it. The URL's password is kept out of every log line.
 */
export async function connectSharedStore(url: string, log: Logger): Promise<SharedStore> {
  const { Redis } = (await import('ioredis')).default;
  const secret = new URL(url).password || undefined;
  const client: RedisClient = new Redis(url, {
    // A command while disconnected fails at once: the replica serves alone meanwhile.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    commandTimeout: PAYLOAD_MS,
    // Reconnects for ever, at most every two seconds.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
  });
  const store = new RedisStore(client, log, secret);
  client.on('error', (error: unknown) => store.fault(error));
  client.on('ready', () => store.answered());
  return store;
}

class RedisStore implements SharedStore {
  /** Unreachable until the first connection is ready. */
  state: 'ok' | 'unreachable' = 'unreachable';
  private connected = false;
  /** Whether the current outage has had its log line. */
  private reported = false;
  /** When a command was last let through during an outage, and when the outage began (performance.now()). */
  private probed = Number.NEGATIVE_INFINITY;
  private faulted = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly client: RedisClient,
    private readonly log: Logger,
    private readonly secret: string | undefined,
  ) {}

  get(key: string, payload = false): Promise<Buffer | undefined> {
    return this.run(payload ? PAYLOAD_MS : COMMAND_MS, async () => (await this.client.getBuffer(key)) ?? undefined, undefined);
  }

  set(key: string, value: Buffer | string, ttlMs: number): Promise<boolean> {
    return this.run(PAYLOAD_MS, async () => (await this.client.set(key, value, 'PX', Math.max(1, Math.round(ttlMs)))) === 'OK', false);
  }

  claim(key: string, holder: string, ttlMs: number): Promise<boolean | undefined> {
    return this.run<boolean | undefined>(
      COMMAND_MS,
      async () => (await this.client.set(key, holder, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK',
      undefined,
    );
  }

  async release(key: string, holder: string): Promise<void> {
    await this.script(RELEASE, [key], [holder]);
  }

  async renew(key: string, holder: string, ttlMs: number): Promise<void> {
    await this.script(RENEW, [key], [holder, Math.max(1, Math.round(ttlMs))]);
  }

  script(source: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.run(COMMAND_MS, () => this.client.eval(source, keys.length, ...keys, ...args), undefined);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  /**
   * Runs one command within `ms`; on any failure the store is marked down and `missing` answered.
   * While it is down, commands are not sent (`missing` at once) but for one probe a second, so a
   * slow store costs the calls nothing, and the first probe it answers ends the outage.
   */
  private async run<T>(ms: number, command: () => Promise<T>, missing: T): Promise<T> {
    const sent = performance.now();
    if (this.state === 'unreachable') {
      if (sent - this.probed < PROBE_MS) return missing;
      this.probed = sent;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      });
      const answer = await Promise.race([command(), late]);
      this.answered(sent);
      return answer;
    } catch (error) {
      this.fault(error);
      return missing;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The store answered a command sent at `sent` (performance.now()); one sent before the outage began does not end it. */
  answered(sent = performance.now()): void {
    if (this.state === 'ok' || sent < this.faulted) return;
    this.state = 'ok';
    this.reported = false;
    if (this.connected) this.log.warn('shared store answers again: replicas share views, scans and quotas');
    else this.log.info('shared store connected: replicas share views, scans and quotas');
    this.connected = true;
  }

  fault(error: unknown): void {
    if (this.state === 'unreachable' && this.reported) return;
    this.faulted = performance.now();
    this.state = 'unreachable';
    this.reported = true;
    const message = errorMessage(error);
    this.log.warn('shared store unreachable: each replica serves from DigitalOcean alone until it answers', {
      error: this.secret ? redact(message, this.secret) : message,
    });
  }
}
