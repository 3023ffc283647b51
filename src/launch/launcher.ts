import path from 'node:path';
import type { main as Main } from '../index.js';
import { runWithCodeCache } from './code-cache.js';

declare const __MINIMUM_NODE__: string;
declare const __BUILD_ID__: string;

// dist/index.js, the entry point every client runs (CommonJS: Node starts a CommonJS entry about
// 5 ms sooner than an ES module). It runs first and alone: on a Node older than
// `engines` it says which Node is needed and stops, before any module that could fail obscurely
// later is loaded. Then it runs the server (dist/server.cjs) through V8's code cache, and keeps
// that cache when the server is idle after starting and after its first answer.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const [needMajor = 0, needMinor = 0] = __MINIMUM_NODE__.split('.').map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  process.stderr.write(
    `digitalocean-snapshots-mcp needs Node.js ${__MINIMUM_NODE__} or later; this is Node.js ${process.version}. ` +
      'Install a current Node.js (https://nodejs.org) and start it again.\n',
  );
  process.exit(1);
}

const server = runWithCodeCache(path.join(__dirname, 'server.cjs'), __BUILD_ID__);
// Kept while the client is idle: a second after start-up, and soon after the first answer.
let answered = false;
void (server.exports as { main: typeof Main }).main({
  ready: () => void setTimeout(() => server.save('start'), 1000).unref(),
  answered: () => {
    if (answered) return;
    answered = true;
    setTimeout(() => server.save('call'), 200).unref();
  },
});
