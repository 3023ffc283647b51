#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { FAKE_TOKEN, startFakeApi } from './server.js';

const USAGE = `Usage: npm run fake-api -- [options]   (or: node dist/fake-api/main.js [options])

A stand-in for DigitalOcean's snapshot API on 127.0.0.1, with a made-up account: point the server
(or any client of it) at it with the two variables it prints.

Options:
  --port N      port to listen on (default 0: any free port; the address is printed)
  --count N     snapshots in the account (default 250)
  --seed N      which made-up account (default 1)
  --latency MS  wait before every answer (default 0)
  --hostile     mix in snapshots whose fields try to forge lines in an agent's text
  --help        print this and exit
`;

function fail(message: string): never {
  process.stderr.write(`fake-api: ${message}\n${USAGE}`);
  process.exit(2);
}

const parseOptions = () =>
  parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      count: { type: 'string', default: '250' },
      seed: { type: 'string', default: '1' },
      latency: { type: 'string', default: '0' },
      hostile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });

let values: ReturnType<typeof parseOptions>['values'];
try {
  ({ values } = parseOptions());
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const number = (name: 'port' | 'count' | 'seed' | 'latency', max: number) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0 || value > max)
    fail(`--${name} must be a whole number from 0 to ${max}, got "${values[name]}"`);
  return value;
};

const api = await startFakeApi({
  port: number('port', 65_535),
  count: number('count', 1_000_000),
  seed: number('seed', 2 ** 31),
  latencyMs: number('latency', 600_000),
  hostile: values.hostile,
}).catch((error: unknown) => fail(`cannot listen: ${(error as Error).message}`));
process.stdout.write(
  `Fake DigitalOcean API with ${api.snapshots.length} snapshots at ${api.url}\n` +
    `  DIGITALOCEAN_API_URL=${api.url} DIGITALOCEAN_API_TOKEN=${FAKE_TOKEN} node dist/index.js\n`,
);
const stop = () => void api.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
