import type { Config } from './config.js';
import type { ApiPool } from './digitalocean/pool.js';

/** The process's ApiPool, created on first use: only then does the HTTP stack load. */
export interface LazyPool {
  get(): Promise<ApiPool>;
  close(): Promise<void>;
}

export function lazyPool(config: Pick<Config, 'deadlineSeconds' | 'upstreamConcurrency'>): LazyPool {
  let pool: Promise<ApiPool> | undefined;
  return {
    get() {
      pool ??= import('./digitalocean/pool.js')
        .then(({ createApiPool }) => createApiPool({ deadlineSeconds: config.deadlineSeconds, maxInFlight: config.upstreamConcurrency }))
        .catch((error: unknown) => {
          // A failed load is tried again by the next call, not remembered.
          pool = undefined;
          throw error;
        });
      return pool;
    },
    async close() {
      const open = pool;
      pool = undefined;
      await (await open?.catch(() => undefined))?.close();
    },
  };
}
