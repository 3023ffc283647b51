import { DEMO_ACCOUNT_NAMES, type Config } from './config.js';
import { accountIdBase, generateSnapshots } from './fake-api/data.js';
import { ALL_SCOPES, FAKE_TOKEN, startFakeApi } from './fake-api/server.js';

const DEMO_SNAPSHOTS = 250;
const DEMO_SEED = 7;

/**
 * --demo: the project's fake API, in this process on 127.0.0.1, stands in for DigitalOcean, so any
 * client can try the server with no token, no network and nothing else to start. With
 * --demo-accounts N, it serves N made-up accounts (acme, globex, ...), each with its own token,
 * snapshots, Droplets and volumes.
 */
export async function withDemoAccount(config: Config): Promise<Config> {
  const rateLimit = { perHour: 1_000_000, perMinute: 1_000_000 };
  if (config.demoAccounts <= 1) {
    const api = await startFakeApi({ count: DEMO_SNAPSHOTS, seed: DEMO_SEED, rateLimit });
    return { ...config, apiUrl: new URL(api.url), token: FAKE_TOKEN, tokenSource: '--demo', tokenProblem: undefined };
  }
  const names = DEMO_ACCOUNT_NAMES.slice(0, config.demoAccounts);
  const tokens = names.map((name) => `${FAKE_TOKEN}-${name}`);
  // Accounts of different sizes, so that "which costs the most" has an answer.
  const accounts = Object.fromEntries(
    tokens.map((token, i) => [token, { snapshots: generateSnapshots(DEMO_SNAPSHOTS - 80 * i, DEMO_SEED + i, accountIdBase(i)) }]),
  );
  const api = await startFakeApi({ tokens: Object.fromEntries(tokens.map((token) => [token, ALL_SCOPES])), accounts, rateLimit });
  return {
    ...config,
    apiUrl: new URL(api.url),
    token: undefined,
    tokenSource: undefined,
    tokenProblem: undefined,
    namedAccounts: names.map((name, i) => ({ name, token: tokens[i]!, source: '--demo', problem: undefined })),
  };
}
