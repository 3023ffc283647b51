import type { Config } from './config.js';
import { MemoryBudget } from './digitalocean/memory.js';
import { createApiPool, type ApiPool } from './digitalocean/pool.js';
import { QuotaBook } from './digitalocean/quota.js';
import { RedisQuotaLedger } from './digitalocean/quota-ledger.js';
import { shortDigest } from './digest.js';
import { errorMessage, type Logger } from './logger.js';
import { AccountViews } from './snapshots/account-views.js';
import { SharedViews } from './snapshots/shared-views.js';
import { connectSharedStore, type SharedStore } from './store/shared-store.js';

/**
 * What the whole process shares, whatever serves it (one stdio connection, or every HTTP request):
 * the API pool, created on first use (only then does the HTTP stack load), the short-lived
 * account views that let a conversation's questions share one scan, and the one memory budget
 * that scans in flight and kept views draw from.
 */
export interface Engine {
  pool(): Promise<ApiPool>;
  views: AccountViews;
  memory: MemoryBudget;
  /** Each token's request quota at DigitalOcean, shared by all its calls. */
  quotas: QuotaBook;
  /** The store replicas share through (REDIS_URL): 'off' without one, else whether it answers. */
  storeState(): 'off' | 'ok' | 'unreachable';
  close(): Promise<void>;
}

export function createEngine(
  config: Pick<Config, 'deadlineSeconds' | 'upstreamConcurrency' | 'cache' | 'serverMaxBytes' | 'requestsPerMinute' | 'redisUrl'>,
  /** Where the shared store's outages are told (with REDIS_URL). */
  log?: Logger,
): Engine {
  let pool: Promise<ApiPool> | undefined;
  const memory = new MemoryBudget(config.serverMaxBytes);
  const views = new AccountViews(config.cache, memory);
  const quotas = new QuotaBook(config.requestsPerMinute);
  // With REDIS_URL the views and quotas are shared once the store's client has loaded; calls before that read alone.
  let store: SharedStore | undefined;
  const connecting =
    config.redisUrl && log
      ? connectSharedStore(config.redisUrl, log).then(
          (connected) => {
            store = connected;
            views.share(new SharedViews(connected), log);
            quotas.ledger = new RedisQuotaLedger(connected);
            return connected;
          },
          // The client could not even load: this process serves alone, as without REDIS_URL.
          (error: unknown) => {
            log.error('shared store not started: this replica serves alone', { error: errorMessage(error) });
            return undefined;
          },
        )
      : undefined;
  // Kept views are what can make room: the oldest go first when a scan needs it.
  memory.reclaim = (bytes) => views.reclaim(bytes);
  return {
    pool() {
      pool ??= createApiPool({ deadlineSeconds: config.deadlineSeconds, maxInFlight: config.upstreamConcurrency }).catch(
        (error: unknown) => {
          // A failed load is tried again by the next call, not remembered.
          pool = undefined;
          throw error;
        },
      );
      return pool;
    },
    views,
    memory,
    quotas,
    storeState: () => (config.redisUrl ? (store?.state ?? 'unreachable') : 'off'),
    async close() {
      const open = pool;
      pool = undefined;
      await (await open?.catch(() => undefined))?.close();
      await (await connecting)?.close();
    },
  };
}

/** Whose account a view shows: the API origin and a hash of the token, never the token itself. */
export function ownerOf(apiUrl: URL, token: string): string {
  return `${apiUrl.origin}${apiUrl.pathname}#${shortDigest(token, 22)}`;
}
