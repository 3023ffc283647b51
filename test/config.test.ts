import { describe, expect, it } from 'vitest';
import { accountsOf, ConfigError, loadConfig, MAX_ACCOUNTS, secretsOf } from '../src/config.js';

describe('loadConfig', () => {
  it('defaults: no token, the public API, warnings only on stdio and info over HTTP', () => {
    const config = loadConfig({});
    expect(config.token).toBeUndefined();
    expect(config.tokenSource).toBeUndefined();
    expect(config.apiUrl.href).toBe('https://api.digitalocean.com/');
    expect(config.logLevel).toBe('warn');
    expect(loadConfig({}, ['--transport', 'http']).logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: 'info' }).logLevel).toBe('info');
  });

  it('reads the per-minute cap (0: none) and REDIS_URL (redis:// or rediss:// only)', () => {
    expect(loadConfig({}).requestsPerMinute).toBe(250);
    expect(loadConfig({ DIGITALOCEAN_REQUESTS_PER_MINUTE: '0' }).requestsPerMinute).toBe(0);
    expect(() => loadConfig({ DIGITALOCEAN_REQUESTS_PER_MINUTE: '-1' })).toThrow(
      /DIGITALOCEAN_REQUESTS_PER_MINUTE must be a whole number from 0/,
    );
    expect(loadConfig({}).redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'rediss://user:pw@cache.internal:6380/0' }).redisUrl).toBe('rediss://user:pw@cache.internal:6380/0');
    expect(() => loadConfig({ REDIS_URL: 'http://cache:6379' })).toThrow(/REDIS_URL must use redis:\/\/ or rediss:\/\/, got "http:"/);
    expect(() => loadConfig({ REDIS_URL: 'cache:6379' })).toThrow(/REDIS_URL/);
  });

  it("takes DigitalOcean's own way of writing the base URL, with /v2, and says so", () => {
    const config = loadConfig({ DIGITALOCEAN_API_URL: 'https://api.digitalocean.com/v2/' });
    expect(config.apiUrl.href).toBe('https://api.digitalocean.com/');
    expect(config.notices).toEqual([
      'DIGITALOCEAN_API_URL ends in /v2, which every request adds itself: using https://api.digitalocean.com',
    ]);
    expect(loadConfig({ DIGITALOCEAN_API_URL: 'https://proxy.example/do/v2' }).apiUrl.href).toBe('https://proxy.example/do');
  });

  it('takes the token from DIGITALOCEAN_API_TOKEN, then ACCESS_TOKEN, then TOKEN', () => {
    const all = { DIGITALOCEAN_API_TOKEN: 'a', DIGITALOCEAN_ACCESS_TOKEN: 'b', DIGITALOCEAN_TOKEN: 'c' };
    expect(loadConfig(all)).toMatchObject({ token: 'a', tokenSource: 'DIGITALOCEAN_API_TOKEN' });
    expect(loadConfig({ ...all, DIGITALOCEAN_API_TOKEN: '' })).toMatchObject({ token: 'b', tokenSource: 'DIGITALOCEAN_ACCESS_TOKEN' });
    expect(loadConfig({ DIGITALOCEAN_TOKEN: ' c \n' })).toMatchObject({ token: 'c', tokenSource: 'DIGITALOCEAN_TOKEN' });
  });

  it('accepts http(s) API URLs with a path prefix, without the trailing slash', () => {
    expect(loadConfig({ DIGITALOCEAN_API_URL: 'http://127.0.0.1:8080' }).apiUrl.origin).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ DIGITALOCEAN_API_URL: 'https://proxy.example/do/' }).apiUrl.pathname).toBe('/do');
  });

  it.each([
    ['ftp://api.digitalocean.com', /must use http or https/],
    ['not a url', /is not a URL/],
    ['https://user:secret@api.digitalocean.com', /must not carry credentials/],
    ['https://api.digitalocean.com/?x=1', /query or fragment/],
  ])('refuses DIGITALOCEAN_API_URL=%s', (url, message) => {
    expect(() => loadConfig({ DIGITALOCEAN_API_URL: url })).toThrow(ConfigError);
    expect(() => loadConfig({ DIGITALOCEAN_API_URL: url })).toThrow(message);
  });

  it('reads LOG_LEVEL and refuses unknown levels', () => {
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of debug, info, warn, error/);
  });

  it('defaults to stdio; --transport http (or MCP_TRANSPORT) with port and host', () => {
    expect(loadConfig({}).transport).toEqual({ kind: 'stdio' });
    expect(loadConfig({}, ['--transport', 'http']).transport).toEqual({
      kind: 'http',
      host: '127.0.0.1',
      port: 8080,
      allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
      loopback: true,
      authSecret: undefined,
      trustLoopback: false,
    });
    expect(
      loadConfig({ MCP_TRANSPORT: 'http', MCP_PORT: '9000', MCP_HOST: '0.0.0.0', MCP_ALLOWED_HOSTS: 'mcp.example.com, Other.example' })
        .transport,
    ).toEqual({
      kind: 'http',
      host: '0.0.0.0',
      port: 9000,
      allowedHosts: ['mcp.example.com', 'other.example'],
      loopback: false,
      authSecret: undefined,
      trustLoopback: false,
    });
    expect(loadConfig({ MCP_TRUST_LOOPBACK: '1' }, ['--transport', 'http']).transport).toMatchObject({ trustLoopback: true });
    expect(() => loadConfig({ MCP_TRUST_LOOPBACK: 'sure' }, ['--transport', 'http'])).toThrow(/MCP_TRUST_LOOPBACK must be 1 or 0/);
    expect(loadConfig({ MCP_PORT: '9000' }, ['--transport=http', '--port=0']).transport).toMatchObject({ port: 0 });
  });

  it.each([
    [['--transport', 'sse'], /must be stdio or http/],
    [['--transport', 'http', '--port', '70000'], /port number from 0 to 65535/],
    [['--verbose'], /^Unknown option '--verbose'; see --help$/],
    [['--port', '18120'], /^--port applies to the HTTP transport: add --transport http, or leave --port out for stdio$/],
    [['--host', '0.0.0.0'], /^--host applies to the HTTP transport/],
    [['--port', 'abc'], /port number from 0 to 65535, got "abc"/],
  ])('refuses %j', (argv, message) => {
    expect(() => loadConfig({}, argv)).toThrow(message);
  });

  it('checks the HTTP settings on stdio too: a bad value is a mistake wherever it has no effect', () => {
    expect(() => loadConfig({ MCP_PORT: 'abc' })).toThrow(/MCP_PORT\) must be a port number/);
    expect(() => loadConfig({ MCP_TRUST_LOOPBACK: 'sure' })).toThrow(/MCP_TRUST_LOOPBACK must be 1 or 0/);
    expect(() => loadConfig({ MCP_AUTH_TOKEN: 'short' })).toThrow(/MCP_AUTH_TOKEN must be at least/);
    expect(loadConfig({ MCP_PORT: '9000', MCP_HOST: '0.0.0.0' }).transport).toEqual({ kind: 'stdio' });
  });

  it('reads PAGE_CONCURRENCY and CALL_DEADLINE_SECONDS within bounds', () => {
    expect(loadConfig({})).toMatchObject({ concurrency: 8, deadlineSeconds: 30 });
    expect(loadConfig({ PAGE_CONCURRENCY: '3', CALL_DEADLINE_SECONDS: '2.5' })).toMatchObject({ concurrency: 3, deadlineSeconds: 2.5 });
    expect(() => loadConfig({ PAGE_CONCURRENCY: '0' })).toThrow(/PAGE_CONCURRENCY must be a whole number from 1 to 32/);
    expect(() => loadConfig({ CALL_DEADLINE_SECONDS: '601' })).toThrow(/CALL_DEADLINE_SECONDS must be/);
  });

  it.each([
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder as users paste it, not a template
    ['${DIGITALOCEAN_API_TOKEN}', /a placeholder that was never filled in/],
    ['$DIGITALOCEAN_API_TOKEN', /a placeholder that was never filled in/],
    ['<your token>', /a placeholder that was never filled in/],
    ['dop_v1_your_read_only_token', /the example value/],
    ['your_token', /the example value/],
    ['abc', /3 characters long: too short to be a token/],
  ])('names a token that cannot be real: %s', (token, problem) => {
    const config = loadConfig({ DIGITALOCEAN_API_TOKEN: token });
    expect(config.token).toBe(token);
    expect(config.tokenProblem).toMatch(problem);
    expect(config.tokenProblem).toMatch(/in DIGITALOCEAN_API_TOKEN/);
  });

  it('adds an account for each DIGITALOCEAN_API_TOKEN_<NAME>, default first and then by name; refuses clashes', () => {
    const token = (n: number) => `dop_v1_${String(n).repeat(64)}`;
    const config = loadConfig({
      DIGITALOCEAN_API_TOKEN: token(1),
      DIGITALOCEAN_API_TOKEN_Zeta: token(2),
      DIGITALOCEAN_API_TOKEN_ACME_2: token(3),
    });
    expect(accountsOf(config).map(({ name, source }) => [name, source])).toEqual([
      ['default', 'DIGITALOCEAN_API_TOKEN'],
      ['acme_2', 'DIGITALOCEAN_API_TOKEN_ACME_2'],
      ['zeta', 'DIGITALOCEAN_API_TOKEN_Zeta'],
    ]);
    expect(secretsOf(config)).toEqual([token(1), token(3), token(2)]);
    // An empty variable adds nothing; one named account alone is one account.
    expect(accountsOf(loadConfig({ DIGITALOCEAN_API_TOKEN_ACME: token(1), DIGITALOCEAN_API_TOKEN_EMPTY: ' ' })).map((a) => a.name)).toEqual(
      ['acme'],
    );
    // A placeholder is that account's problem, said in its answers, not a failed start.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder as users paste it, not a template
    expect(accountsOf(loadConfig({ DIGITALOCEAN_API_TOKEN_ACME: '${ACME}' }))[0]!.problem).toMatch(/placeholder/);
    expect(() => loadConfig({ DIGITALOCEAN_API_TOKEN_ALL: token(1) })).toThrow(/"all" means every account/);
    expect(() => loadConfig({ DIGITALOCEAN_API_TOKEN_ACME: token(1), DIGITALOCEAN_API_TOKEN_acme: token(2) })).toThrow(
      /both name the account "acme"/,
    );
    expect(() => loadConfig({ DIGITALOCEAN_API_TOKEN: token(1), DIGITALOCEAN_API_TOKEN_DEFAULT: token(2) })).toThrow(
      /both name the account "default"/,
    );
    expect(() => loadConfig({ DIGITALOCEAN_API_TOKEN: token(1), DIGITALOCEAN_API_TOKEN_ACME: token(1) })).toThrow(/hold the same token/);
    expect(() => loadConfig({ 'DIGITALOCEAN_API_TOKEN_A-B': token(1) })).toThrow(/letters, digits and underscores/);
    const many = Object.fromEntries(Array.from({ length: MAX_ACCOUNTS + 1 }, (_, i) => [`DIGITALOCEAN_API_TOKEN_A${i}`, token(i)]));
    expect(() => loadConfig(many)).toThrow(`one server reads at most ${MAX_ACCOUNTS}`);
  });

  it("names accounts apart from their variables (the bundle's fixed ones); a blank bundle setting is no setting", () => {
    const token = (n: number) => `dop_v1_${String(n).repeat(64)}`;
    const config = loadConfig({
      DIGITALOCEAN_API_TOKEN: token(1),
      DIGITALOCEAN_ACCOUNT_NAME: 'Agency',
      DIGITALOCEAN_API_TOKEN_2: token(2),
      DIGITALOCEAN_ACCOUNT_NAME_2: 'client_b',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: what a bundle host passes for a blank setting
      DIGITALOCEAN_API_TOKEN_3: '${user_config.third_token}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: what a bundle host passes for a blank setting
      DIGITALOCEAN_ACCOUNT_NAME_3: '${user_config.third_name}',
    });
    expect(accountsOf(config).map(({ name, source }) => [name, source])).toEqual([
      ['agency', 'DIGITALOCEAN_API_TOKEN'],
      ['client_b', 'DIGITALOCEAN_API_TOKEN_2'],
    ]);
    expect(() => loadConfig({ DIGITALOCEAN_API_TOKEN_2: token(2), DIGITALOCEAN_ACCOUNT_NAME_2: 'client b' })).toThrow(
      /DIGITALOCEAN_ACCOUNT_NAME_2: an account name is/,
    );
  });

  it('--demo-accounts N takes 1 to 3, with --demo only', () => {
    expect(loadConfig({}, ['--demo', '--demo-accounts', '2']).demoAccounts).toBe(2);
    expect(loadConfig({}, ['--demo']).demoAccounts).toBe(1);
    expect(() => loadConfig({}, ['--demo-accounts', '2'])).toThrow(/applies to --demo/);
    expect(() => loadConfig({}, ['--demo', '--demo-accounts', '4'])).toThrow(/from 1 to 3/);
  });

  it('finds nothing wrong with a real-looking token', () => {
    expect(loadConfig({ DIGITALOCEAN_API_TOKEN: `dop_v1_${'a1'.repeat(32)}` }).tokenProblem).toBeUndefined();
  });
});
