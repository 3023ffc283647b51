import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ALWAYS, harness, textOf, type Harness } from '../helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function failure(args: Record<string, unknown> = {}): Promise<string> {
  const result = await h.call(args);
  expect(result.isError).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  const text = textOf(result);
  expect(text).not.toMatch(/\n\s+at /); // no stack trace
  return text;
}

describe('API failures become actionable tool errors', () => {
  it('401: the token is wrong, with the API message and request_id, and where to make a new one', async () => {
    h = await harness({ count: 5, tokens: {} });
    const text = await failure();
    expect(text).toMatch(/rejected the API token \(HTTP 401 Unauthorized: "Unable to authenticate you"; request_id [0-9a-f-]{36}\)/);
    expect(text).toMatch(/DIGITALOCEAN_API_TOKEN/);
    expect(text).toMatch(/cloud\.digitalocean\.com\/account\/api\/tokens/);
    expect(text).toMatch(/Retrying will not help/);
  });

  it('401 names the variable the token actually came from', async () => {
    h = await harness({
      count: 5,
      tokens: {},
      env: { DIGITALOCEAN_API_TOKEN: undefined, DIGITALOCEAN_TOKEN: 'dop_v1_wrong_but_well_formed' },
    });
    expect(await failure()).toMatch(/set it in DIGITALOCEAN_TOKEN/);
  });

  it('403: the token lacks snapshot:read', async () => {
    h = await harness({ count: 5, scopes: [] });
    const text = await failure();
    expect(text).toMatch(/not allowed to read snapshots \(HTTP 403 Forbidden/);
    expect(text).toMatch(/snapshot:read scope/);
  });

  it('404: the API URL is probably wrong', async () => {
    h = await harness({ count: 5 });
    h.api.inject({ type: 'status', status: 404, body: { id: 'not_found', message: 'The resource you requested could not be found.' } });
    const text = await failure();
    expect(text).toMatch(/not found \(HTTP 404 not_found/);
    expect(text).toContain(`DIGITALOCEAN_API_URL (now ${h.api.url}/)`);
  });

  it('429 with retry-after: when to retry', async () => {
    h = await harness({ count: 5, env: { CALL_DEADLINE_SECONDS: '10' } });
    h.api.inject({
      type: 'status',
      status: 429,
      body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' },
      headers: { 'retry-after': '29' },
    });
    const text = await failure();
    expect(h.api.requests).toHaveLength(1); // 29 s is past the deadline: no point waiting
    expect(text).toMatch(/rate limiting this token \(HTTP 429 too_many_requests: "API Rate limit exceeded\."/);
    expect(text).toMatch(/Retry after 29 seconds \(at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/);
  });

  it.each([
    ['retry-after', '1e308'],
    ['retry-after', '9e15'],
    ['retry-after', 'Fri, 31 Dec 9999 23:59:59 GMT'],
    ['ratelimit-reset', '1e300'],
  ])('429 with an absurd %s (%s): a wait of at most a day, at a time that exists', async (header, value) => {
    h = await harness({ count: 5, env: { CALL_DEADLINE_SECONDS: '10' } });
    const headers: Record<string, string> =
      header === 'retry-after' ? { 'retry-after': value } : { 'ratelimit-remaining': '0', 'ratelimit-reset': value };
    h.api.inject({ type: 'status', status: 429, body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' }, headers }, ALWAYS);
    const text = await failure();
    expect(text).not.toMatch(/Invalid time value|Unexpected/);
    const stated = /Retry after ([\d,]+) seconds \(at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC\)/.exec(text);
    if (stated) {
      expect(Number(stated[1]!.replace(/,/g, ''))).toBeLessThanOrEqual(86_400);
      expect(Number.isNaN(Date.parse(`${stated[2]!.replace(' ', 'T')}Z`))).toBe(false);
    } else {
      expect(text).toContain('Wait a minute before retrying.');
    }
  });

  it('429 without retry-after: when the quota resets (ratelimit-reset)', async () => {
    h = await harness({ count: 5 });
    const reset = Math.floor(Date.now() / 1000) + 120;
    h.api.inject({
      type: 'status',
      status: 429,
      body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' },
      headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) },
    });
    expect(await failure()).toMatch(/Retry after (119|120|121) seconds/);
  });

  it('a minute limit the server knows (DIGITALOCEAN_REQUESTS_PER_MINUTE) is never overrun: the call after it says when, and sends nothing', async () => {
    h = await harness({ count: 50, rateLimit: { perHour: 5000, perMinute: 2 } });
    expect((await h.call({ per_page: 10, limit: 10 })).isError).toBeFalsy();
    expect((await h.call({ per_page: 10, limit: 10 })).isError).toBeFalsy();
    expect(await failure({ per_page: 10, limit: 10 })).toMatch(
      /needs 1 request to DigitalOcean; the token's request quota allows 0 more .*\(2 a minute at most, DIGITALOCEAN_REQUESTS_PER_MINUTE; 4,998 left this hour\)\. Nothing was sent\. Ask again after (5\d|60) seconds/,
    );
    expect(h.api.requests.map((request) => request.status)).toEqual([200, 200]);
  });

  it("429 from a limit the server did not know: retried after retry-after, and the token's next call waits it out without a request", async () => {
    h = await harness({ count: 50, rateLimit: { perHour: 5000, perMinute: 2 }, env: { DIGITALOCEAN_REQUESTS_PER_MINUTE: '0' } });
    expect((await h.call({ per_page: 10, limit: 10 })).isError).toBeFalsy();
    expect((await h.call({ per_page: 10, limit: 10 })).isError).toBeFalsy();
    // retry-after (about 60 s) is past the 30 s deadline: no retry, and the answer says when.
    expect(await failure({ per_page: 10, limit: 10 })).toMatch(/rate limiting this token .*Retry after (5\d|60) seconds/);
    expect(await failure({ per_page: 10, limit: 10 })).toMatch(/allows 0 more .*Nothing was sent\. Ask again after (5\d|60) seconds/);
    expect(h.api.requests.map((request) => request.status)).toEqual([200, 200, 429]);
  });

  it.each([500, 502, 503])('%i: DigitalOcean is failing, retry later', async (status) => {
    h = await harness({ count: 5 });
    h.api.inject({ type: 'status', status, body: { id: 'server_error', message: 'Unexpected server-side error' } }, ALWAYS);
    const text = await failure();
    expect(text).toContain(`HTTP ${status} server_error`);
    expect(text).toContain('after 5 attempts');
    expect(text).toMatch(/Retry in a minute.*status\.digitalocean\.com/);
  });

  it('5xx with an HTML body still explains itself', async () => {
    h = await harness({ count: 5 });
    h.api.inject({ type: 'body', status: 502, body: '<html><body>Bad Gateway</body></html>' }, ALWAYS);
    expect(await failure()).toMatch(/failed on its side \(HTTP 502; after 5 attempts\)/);
  });

  it('network: the API cannot be reached', async () => {
    const closed = createHttpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    h = await harness({ count: 5, env: { DIGITALOCEAN_API_URL: `http://127.0.0.1:${port}` } });
    const text = await failure();
    // One quick retry, then the answer: more would only delay what the user must fix.
    expect(text).toMatch(
      new RegExp(`Could not reach the DigitalOcean API at http://127\\.0\\.0\\.1:${port}.*ECONNREFUSED.*; after 2 attempts`),
    );
    expect(text).toMatch(/Check the network connection and DIGITALOCEAN_API_URL/);
  });

  it('network: the connection is reset mid-request', async () => {
    h = await harness({ count: 5 });
    h.api.inject({ type: 'reset' }, ALWAYS);
    expect(await failure()).toMatch(/Could not reach the DigitalOcean API .*after 5 attempts/);
  });

  it('a body that is not JSON', async () => {
    h = await harness({ count: 5 });
    h.api.inject({ type: 'body', body: '{"snapshots": [' });
    expect(await failure()).toMatch(/HTTP 200 but the body is not JSON \(starts with "\{\\"snapshots\\": \["\)/);
  });

  it.each([
    [
      'a snapshot field of the wrong type',
      {
        snapshots: [
          {
            id: '1',
            name: 'a',
            created_at: '2020-07-28T16:47:44Z',
            regions: [],
            resource_id: '2',
            resource_type: 'droplet',
            min_disk_size: 1,
            size_gigabytes: '2.5',
            tags: [],
          },
        ],
        meta: { total: 1 },
      },
      /snapshots\[0\]\.size_gigabytes: .*expected number/,
    ],
    ['a missing meta', { snapshots: [] }, /meta: .*expected object/],
    ['snapshots that are not an array', { snapshots: {}, meta: { total: 0 } }, /snapshots: .*expected array/],
    [
      'a created_at that is not a date',
      {
        snapshots: [
          {
            id: '1',
            name: 'a',
            created_at: 'yesterday',
            regions: [],
            resource_id: '2',
            resource_type: 'droplet',
            min_disk_size: 1,
            size_gigabytes: 1,
            tags: [],
          },
        ],
        meta: { total: 1 },
      },
      /snapshots\[0\]\.created_at: expected an ISO 8601 date-time/,
    ],
  ])('a response of the wrong shape: %s', async (_name, body, pattern) => {
    h = await harness({ count: 5 });
    h.api.inject({ type: 'body', body: JSON.stringify(body) });
    const text = await failure();
    expect(text).toMatch(/does not match the documented shape/);
    expect(text).toMatch(pattern);
  });

  it('a failure on a later page withholds the partial list and says so', async () => {
    h = await harness({ count: 30 });
    h.api.inject(
      { type: 'status', status: 503, body: { id: 'service_unavailable', message: 'try later' } },
      { pathPrefix: '/v2/snapshots?page=2&', ...ALWAYS },
    );
    const text = await failure({ per_page: 10, limit: 30 });
    expect(text).toMatch(/HTTP 503 service_unavailable/);
    expect(text).toMatch(/stopped after 1 page\(s\) \(10 snapshots\); nothing is returned/);
  });

  it('no token: the server explains which variable to set', async () => {
    h = await harness({ count: 5, env: { DIGITALOCEAN_API_TOKEN: undefined } });
    const text = await failure();
    expect(text).toMatch(/No DigitalOcean API token is configured\. Set DIGITALOCEAN_API_TOKEN/);
    expect(h.api.requests).toHaveLength(0);
  });

  it('a placeholder token: every call says so, and nothing is sent', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder as users paste it, not a template
    h = await harness({ count: 5, env: { DIGITALOCEAN_API_TOKEN: '${DIGITALOCEAN_API_TOKEN}' } });
    expect(await failure()).toMatch(
      /^The DigitalOcean token in DIGITALOCEAN_API_TOKEN is "\$\{DIGITALOCEAN_API_TOKEN\}", a placeholder that was never filled in/,
    );
    expect(textOf(await h.call({ id: '6372321' }, 'get_snapshot'))).toMatch(/a placeholder that was never filled in/);
    expect(h.api.requests).toHaveLength(0);
  });

  it('no token and bad arguments: the arguments are told first, the token after they are fixed', async () => {
    h = await harness({ count: 5, env: { DIGITALOCEAN_API_TOKEN: undefined } });
    expect(await failure({ cursor: 'garbage!!' })).toMatch(
      /^Invalid arguments for tool list_snapshots: cursor: the cursor is not one this server made/,
    );
    expect(await failure({ min_size_gb: 5, max_size_gb: 1 })).toMatch(
      /^Invalid arguments for tool list_snapshots: min_size_gb must not be larger/,
    );
    expect(await failure({ min_size_gb: 1 })).toMatch(/^No DigitalOcean API token is configured/);
  });
});

describe('bad inputs are refused before any request', () => {
  it.each([
    { per_page: 0 },
    { per_page: 201 },
    { per_page: 1.5 },
    { per_page: '10' },
    { page: 0 },
    { page: -1 },
    { resource_type: 'image' },
    { limit: -1 },
    { limit: 1001 },
    { limit: null },
    { regoin: 'fra1' },
  ])('%j', async (args) => {
    h = await harness({ count: 5 });
    const result = await h.call(args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Invalid arguments for tool list_snapshots/);
    expect(h.api.requests).toHaveLength(0);
  });
});
