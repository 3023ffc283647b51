import { Agent, type Dispatcher } from 'undici';
import { DigitalOceanClient, MAX_RESPONSE_BYTES, type DigitalOceanClientOptions } from './client.js';

export interface Connection {
  client: DigitalOceanClient;
  /** Drops in-flight requests and idle sockets of a dispatcher this module created. */
  close(): Promise<void>;
}

/**
 * The client with one keep-alive dispatcher for the server's lifetime. Loaded on the first tool
 * call, so start-up (and the first tools/list) never pays for the HTTP stack.
 */
export function openConnection(
  options: Omit<DigitalOceanClientOptions, 'dispatcher'> & { dispatcher?: Dispatcher; deadlineSeconds: number },
): Connection {
  const own = options.dispatcher ? undefined : createDispatcher(options.deadlineSeconds);
  const client = new DigitalOceanClient({ ...options, dispatcher: options.dispatcher ?? own! });
  return { client, close: async () => void (await own?.destroy().catch(() => undefined)) };
}

/**
 * A keep-alive pool whose timeouts fit inside a call's deadline, so a silent server is retried, and
 * whose answers are capped (undici destroys a response past the cap).
 */
export function createDispatcher(deadlineSeconds: number): Agent {
  const timeout = Math.min(15_000, (deadlineSeconds * 1000) / 2);
  return new Agent({
    connectTimeout: Math.min(10_000, timeout),
    headersTimeout: timeout,
    bodyTimeout: timeout,
    maxResponseSize: MAX_RESPONSE_BYTES,
  });
}
