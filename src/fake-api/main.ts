#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { FAKE_TOKEN, startFakeApi } from './server.js';

// Runs the stand-in API by hand, e.g. to point the MCP Inspector at it:
//   npm run fake-api -- --count 2000 --latency 100
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    count: { type: 'string', default: '250' },
    seed: { type: 'string', default: '1' },
    latency: { type: 'string', default: '0' },
  },
});

const api = await startFakeApi({
  port: Number(values.port),
  count: Number(values.count),
  seed: Number(values.seed),
  latencyMs: Number(values.latency),
});
process.stdout.write(
  `Fake DigitalOcean API with ${api.snapshots.length} snapshots at ${api.url}\n` +
    `  DIGITALOCEAN_API_URL=${api.url} DIGITALOCEAN_API_TOKEN=${FAKE_TOKEN} node dist/index.js\n`,
);
const stop = () => void api.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
