import { Agent, type Dispatcher } from 'undici';
import { DigitalOceanClient, type DigitalOceanClientOptions } from './client.js';

export interface Connection {
  client: DigitalOceanClient;
  /** Drops in-flight requests and idle sockets of a dispatcher this module created. */
  close(): Promise<void>;
}

/**
 * The client with one keep-alive dispatcher for the server's lifetime. Loaded on the first tool
 * call, so start-up (and the first tools/list) never pays for the HTTP stack.
 */
export function connect(
  options: Omit<DigitalOceanClientOptions, 'dispatcher'> & { dispatcher?: Dispatcher; deadlineSeconds: number },
): Connection {
  // A silent server times out (and is retried) well inside the call's deadline.
  const timeout = Math.min(15_000, (options.deadlineSeconds * 1000) / 2);
  const own = options.dispatcher
    ? undefined
    : new Agent({ connectTimeout: Math.min(10_000, timeout), headersTimeout: timeout, bodyTimeout: timeout });
  const client = new DigitalOceanClient({ ...options, dispatcher: options.dispatcher ?? own! });
  return { client, close: async () => void (await own?.destroy().catch(() => undefined)) };
}
