import { accountsOf, loadConfig } from '../src/config.js';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { harness } from './helpers.js';
import { ServerProcess } from './e2e/process.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));
const run = promisify(execFile);
const pkg = read('package.json');
const serverJson = read('server.json');
const manifest = read('manifest.json');

describe('one version, one name, everywhere', () => {
  it('package.json, server.json, manifest.json and serverInfo agree', async () => {
    const h = await harness({ count: 1 });
    const info = h.client.getServerVersion()!;
    await h.close();
    expect(info).toMatchObject({ name: pkg.name, version: pkg.version });
    expect(serverJson.version).toBe(pkg.version);
    expect(serverJson.packages[0].version).toBe(pkg.version);
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.name).toBe(pkg.name);
    expect(serverJson.packages[0].identifier).toBe(pkg.name);
    expect(serverJson.name).toBe(pkg.mcpName);
  });
});

describe('server.json (MCP Registry, 2025-12-11 schema)', () => {
  it('has the fields and bounds the schema sets', () => {
    expect(serverJson.$schema).toBe('https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json');
    expect(serverJson.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    expect(serverJson.description.length).toBeGreaterThan(0);
    expect(serverJson.description.length).toBeLessThanOrEqual(100);
    expect(serverJson.packages).toEqual([
      expect.objectContaining({
        registryType: 'npm',
        transport: { type: 'stdio' },
        environmentVariables: [expect.objectContaining({ name: 'DIGITALOCEAN_API_TOKEN', isSecret: true, isRequired: true })],
      }),
    ]);
  });
});

describe('manifest.json (MCP Bundle 0.3)', () => {
  it('validates with mcpb', async () => {
    const { stdout } = await run(path.join(root, 'node_modules/.bin/mcpb'), ['validate', path.join(root, 'manifest.json')]);
    expect(stdout).toMatch(/Manifest schema validation passes/);
  });

  it('lists the tools the server lists and maps a required, sensitive token to the environment', async () => {
    const h = await harness({ count: 1 });
    const { tools } = await h.client.listTools();
    await h.close();
    expect(manifest.tools.map((tool: { name: string }) => tool.name)).toEqual(tools.map((tool) => tool.name));
    expect(manifest.user_config.digitalocean_api_token).toMatchObject({ type: 'string', sensitive: true, required: true });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder as users paste it, not a template
    expect(manifest.server.mcp_config.env.DIGITALOCEAN_API_TOKEN).toBe('${user_config.digitalocean_api_token}');
    expect(manifest.compatibility.runtimes.node).toBe(`>=${pkg.engines.node.replace('>=', '')}.0`);
  });

  it('takes a second and third token, each optional and named as the user says; blanks leave one account', () => {
    const env = manifest.server.mcp_config.env as Record<string, string>;
    // What a host passes: each setting's value, or for a blank one its default, or (some hosts) the placeholder itself.
    const expand = (values: Record<string, string>, blank: 'default' | 'placeholder') =>
      Object.fromEntries(
        Object.entries(env).map(([name, value]) => {
          const key = /^\$\{user_config\.(\w+)\}$/.exec(value)![1]!;
          return [name, values[key] ?? (blank === 'default' ? manifest.user_config[key].default : value)];
        }),
      );
    const token = (n: number) => `dop_v1_${String(n).repeat(64)}`;
    for (const blank of ['default', 'placeholder'] as const) {
      expect(accountsOf(loadConfig(expand({ digitalocean_api_token: token(1) }, blank))).map((a) => a.name)).toEqual(['default']);
      const three = expand(
        {
          digitalocean_api_token: token(1),
          account_name: 'agency',
          second_token: token(2),
          second_name: 'client_a',
          third_token: token(3),
        },
        blank,
      );
      expect(accountsOf(loadConfig(three)).map((a) => a.name)).toEqual(['agency', '3', 'client_a']);
    }
    for (const key of ['second_token', 'third_token'])
      expect(manifest.user_config[key]).toMatchObject({ sensitive: true, required: false, default: '' });
  });

  it('npm run bundle packs a .mcpb that runs on its own, without node_modules', async () => {
    const packed = mkdtempSync(path.join(os.tmpdir(), 'mcpb-packed-'));
    await run('npm', ['run', 'bundle', '--', '--out', packed], { cwd: root });
    const out = mkdtempSync(path.join(os.tmpdir(), 'mcpb-'));
    await run('unzip', ['-q', path.join(packed, `${pkg.name}-${pkg.version}.mcpb`), '-d', out]);
    expect(JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8'))).not.toHaveProperty('dependencies');
    const server = new ServerProcess({}, path.join(out, 'dist/index.js'));
    await server.initialize();
    expect((await server.request(1, 'tools/list')).result.tools.map((tool: { name: string }) => tool.name)).toEqual([
      'list_snapshots',
      'get_snapshot',
      'plan_snapshot_cleanup',
    ]);
    server.child.stdin.end();
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});

describe('the npm package', () => {
  it('installs nothing: its tarball starts through npx --offline on an empty cache', async () => {
    const packed = mkdtempSync(path.join(os.tmpdir(), 'npm-pack-'));
    // --ignore-scripts: prepare would rebuild dist/ under the other tests' feet; global-setup built it.
    await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packed], { cwd: root });
    const tarball = path.join(packed, `${pkg.name}-${pkg.version}.tgz`);
    const cache = mkdtempSync(path.join(os.tmpdir(), 'npm-cache-'));
    const { stdout } = await run('npx', ['--offline', '-y', '--package', tarball, pkg.name, '--version'], {
      cwd: packed,
      env: { PATH: process.env.PATH, npm_config_cache: cache, npm_config_update_notifier: 'false' },
    });
    expect(stdout.trim()).toBe(pkg.version);
    expect(pkg).not.toHaveProperty('dependencies');
    const { stdout: listing } = await run('tar', ['-tzf', tarball]);
    expect(listing).toContain('package/dist/THIRD_PARTY_LICENSES.md');
    expect(listing).toContain('package/LICENSE');
  });
});

describe("the README's deployment recipe", () => {
  it('installs the tarball, serves, and stops cleanly on SIGTERM to the process the platform started', async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const recipe = /\*\*Deploying it\.\*\*[\s\S]*?```sh\n(.+)\n```/.exec(readme)?.[1];
    expect(recipe).toMatch(/^npm install --prefix .* && exec /);
    const host = mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
    await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', host], { cwd: root });
    // Exactly the README's command, as a platform runs a start command.
    const child = spawn('sh', ['-c', recipe!], {
      cwd: host,
      env: {
        PATH: process.env.PATH,
        npm_config_cache: path.join(host, '.npm'),
        npm_config_update_notifier: 'false',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await vi.waitFor(() => expect(stderr).toMatch(/"msg":"ready over HTTP"/), { timeout: 60_000, interval: 100 });
    const health = await fetch('http://127.0.0.1:8080/healthz');
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    const stopped = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 5000))]);
    expect(stopped).toBe(0);
    expect(stderr).toMatch(/"msg":"shutting down","reason":"SIGTERM"/);
  }, 90_000);
});

describe('mcp.json', () => {
  it('starts this server as written, from this folder, with the token the client fills in', async () => {
    const entries = Object.entries(
      read('mcp.json').mcpServers as Record<string, { command: string; args: string[]; env: Record<string, string> }>,
    );
    expect(entries.length).toBeGreaterThan(0);
    for (const [name, entry] of entries) {
      // Clients expand ${VAR} from their environment; the server must find its entry from here.
      const env = Object.fromEntries(
        Object.entries(entry.env ?? {}).map(([key, value]) => [
          key,
          value.replace(/\$\{(\w+)\}/g, () => `dop_v1_filled_in_by_the_client_${key}`),
        ]),
      );
      expect(entry.command, name).toBe('node');
      const [script, ...args] = entry.args;
      const server = new ServerProcess(env, path.resolve(root, script!), args);
      expect((await server.initialize()).result.serverInfo.name, name).toBe(pkg.name);
      const { tools } = (await server.request(1, 'tools/list')).result;
      expect(tools.length, name).toBeGreaterThan(0);
      // An entry with several tokens (or made-up accounts) offers the account argument.
      const several = Object.keys(entry.env ?? {}).length > 1 || args.includes('--demo-accounts');
      expect(Object.keys(tools[0].inputSchema.properties).includes('account'), name).toBe(several);
      server.child.stdin.end();
      expect(await server.exited, name).toEqual({ code: 0, signal: null });
    }
  });
});
