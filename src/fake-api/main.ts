#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { FAKE_TOKEN, startFakeApi } from './server.js';

// Runs the stand-in API by hand, e.g. to point the MCP Inspector at it:
//   npm run fake-api -- --count 2000 --latency 100
// --hostile mixes in snapshots whose fields try to forge lines in an agent's text.
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    count: { type: 'string', default: '250' },
    seed: { type: 'string', default: '1' },
    latency: { type: 'string', default: '0' },
    hostile: { type: 'boolean', default: false },
  },
});

const api = await startFakeApi({
  port: Number(values.port),
  count: Number(values.count),
  seed: Number(values.seed),
  latencyMs: Number(values.latency),
  hostile: values.hostile,
});
process.stdout.write(
  `Fake DigitalOcean API with ${api.snapshots.length} snapshots at ${api.url}\n` +
    `  DIGITALOCEAN_API_URL=${api.url} DIGITALOCEAN_API_TOKEN=${FAKE_TOKEN} node dist/index.js\n`,
);
const stop = () => void api.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
