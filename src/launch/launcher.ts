import type { main as Main } from '../index.js';

declare const __MINIMUM_NODE__: string;

// dist/index.js, the entry point every client runs (CommonJS: Node starts a CommonJS entry about
// 5 ms sooner than an ES module). It runs first and alone: on a Node older than `engines` it says
// which Node is needed and stops, before any module that could fail obscurely later is loaded.
// Then it turns on Node's own compile cache where there is one (Node 22.1 and later: every start
// after the first skips most compiling; NODE_COMPILE_CACHE names its folder,
// NODE_DISABLE_COMPILE_CACHE=1 turns it off) and runs the server, dist/server.cjs.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const [needMajor = 0, needMinor = 0] = __MINIMUM_NODE__.split('.').map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  process.stderr.write(
    `digitalocean-snapshots-mcp needs Node.js ${__MINIMUM_NODE__} or later; this is Node.js ${process.version}. ` +
      'Install a current Node.js (https://nodejs.org) and start it again.\n',
  );
  process.exit(1);
}

(require('node:module') as { enableCompileCache?: () => unknown }).enableCompileCache?.();
void (require('./server.cjs') as { main: typeof Main }).main();
