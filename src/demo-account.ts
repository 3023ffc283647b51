import type { Config } from './config.js';
import { FAKE_TOKEN, startFakeApi } from './fake-api/server.js';

const DEMO_SNAPSHOTS = 250;

/**
 * --demo: the project's fake API, in this process on 127.0.0.1, stands in for DigitalOcean, so any
 * client can try the server with no token, no network and nothing else to start.
 */
export async function withDemoAccount(config: Config): Promise<Config> {
  const api = await startFakeApi({ count: DEMO_SNAPSHOTS, seed: 7, rateLimit: { perHour: 1_000_000, perMinute: 1_000_000 } });
  return { ...config, apiUrl: new URL(api.url), token: FAKE_TOKEN, tokenSource: '--demo', tokenProblem: undefined };
}
