import type { Dispatcher } from 'undici';
import { DigitalOceanClient, MAX_RESPONSE_BYTES, type DigitalOceanClientOptions } from './client.js';
import { Slots } from './slots.js';
import { loadAgent } from './undici.js';

/**
 * What every call in the process shares: one keep-alive dispatcher, with a connection cap per origin
 * and a cap on each answer, and one bound on requests in flight. Over HTTP every request gets a
 * fresh MCP server, so the pool lives at process level and is handed to each. Loaded on the first
 * tool call, so start-up (and the first tools/list) never pays for the HTTP stack.
 */
export interface ApiPool {
  dispatcher: Dispatcher;
  slots: Slots;
  /** A client for one token, on this pool. */
  client(options: Omit<DigitalOceanClientOptions, 'dispatcher' | 'slots'>): DigitalOceanClient;
  /** Drops in-flight requests and idle sockets. */
  close(): Promise<void>;
}

export async function createApiPool(options: { deadlineSeconds: number; maxInFlight: number }): Promise<ApiPool> {
  const dispatcher = createDispatcher(await loadAgent(), options.deadlineSeconds, options.maxInFlight);
  const slots = new Slots(options.maxInFlight);
  return {
    dispatcher,
    slots,
    client: (clientOptions) => new DigitalOceanClient({ ...clientOptions, dispatcher, slots }),
    close: async () => void (await dispatcher.destroy().catch(() => undefined)),
  };
}

/**
 * A keep-alive pool whose timeouts fit inside a call's deadline (so a silent server is retried),
 * with at most `connections` sockets per origin, and whose answers are capped (undici destroys a
 * response past the cap).
 */
function createDispatcher(Agent: Awaited<ReturnType<typeof loadAgent>>, deadlineSeconds: number, connections: number): Dispatcher {
  const timeout = Math.min(15_000, (deadlineSeconds * 1000) / 2);
  return new Agent({
    connectTimeout: Math.min(10_000, timeout),
    headersTimeout: timeout,
    bodyTimeout: timeout,
    maxResponseSize: MAX_RESPONSE_BYTES,
    connections,
  });
}
