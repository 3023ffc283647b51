import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DigitalOceanClient, type DigitalOceanClientOptions, type RequestContext } from '../../src/digitalocean/client.js';
import { DigitalOceanPaginationError, IncompleteListError, type QuotaError } from '../../src/digitalocean/errors.js';
import { collectSnapshots } from '../../src/digitalocean/paginate.js';
import { TokenQuota } from '../../src/digitalocean/quota.js';
import { SNAPSHOTS } from '../../src/digitalocean/schemas.js';
import { Slots } from '../../src/digitalocean/slots.js';
import { FAKE_TOKEN, roundTrips, startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { harness, textOf } from '../helpers.js';

let api: FakeApi;
let foreign: Server;
let foreignHits: { url: string; authorization: string | undefined }[];
let foreignUrl: string;
let dispatcher: Agent;
let client: DigitalOceanClient;

beforeEach(async () => {
  api = await startFakeApi({ count: 50 });
  foreignHits = [];
  foreign = createServer((req, res) => {
    foreignHits.push({ url: req.url ?? '', authorization: req.headers.authorization });
    res.end('{}');
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  // Another port is another origin, as far as the token is concerned.
  foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  dispatcher = new Agent();
  client = new DigitalOceanClient({ apiUrl: new URL(api.url), token: FAKE_TOKEN, dispatcher, slots: new Slots(16), userAgent: 'test' });
});

afterEach(async () => {
  await api.close();
  await new Promise((resolve) => foreign.close(resolve));
  await dispatcher.close();
});

async function paginationFailure(promise: Promise<unknown>): Promise<IncompleteListError> {
  const error = await promise.then(
    () => expect.unreachable('should have failed'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IncompleteListError);
  expect((error as IncompleteListError).cause).toBeInstanceOf(DigitalOceanPaginationError);
  return error as IncompleteListError;
}

/** A client that runs up to 8 requests at once, as the server's does. */
const concurrentClient = (options: Partial<DigitalOceanClientOptions> = {}) =>
  new DigitalOceanClient({
    apiUrl: new URL(api.url),
    token: FAKE_TOKEN,
    dispatcher,
    slots: new Slots(16),
    userAgent: 'test',
    concurrency: 8,
    ...options,
  });

/** Every page of the snapshot list, 10 a page, as a scan reads it. */
const wholeList = (reader: DigitalOceanClient, bounds: RequestContext = {}) =>
  collectSnapshots(reader, { page: 1, perPage: 10, limit: Number.POSITIVE_INFINITY, ...bounds });

// 50 snapshots at per_page=10: page 1 says there are 5 pages, pages 2-5 are fetched as planned,
// and only a next link on page 5 (the account grew, or the API says so) is followed.
const LAST = '/v2/snapshots?page=5&';

describe('following links.pages.next', () => {
  it('never follows a next link to another origin, so the token stays home', async () => {
    api.inject({ type: 'links', pages: { next: `${foreignUrl}/v2/snapshots?page=6&per_page=10` } }, { pathPrefix: LAST });
    const error = await paginationFailure(collectSnapshots(client, { page: 1, perPage: 10, limit: 100 }));
    expect(error.message).toContain(`leads to ${foreignUrl}/v2/snapshots`);
    expect(error.message).toContain('the token was not sent there');
    expect(error.pagesFetched).toBe(5);
    expect(foreignHits).toEqual([]);
  });

  it('never follows a next link to another path on the API origin', async () => {
    api.inject({ type: 'links', pages: { next: `${api.url}/v2/account?page=6` } }, { pathPrefix: LAST });
    await paginationFailure(collectSnapshots(client, { page: 1, perPage: 10, limit: 100 }));
    expect(api.requests.map((request) => request.url)).not.toContain('/v2/account?page=6');
    expect(api.requests).toHaveLength(5);
  });

  it('stops a next link that loops back to a page already fetched', async () => {
    api.inject({ type: 'links', pages: { next: `${api.url}/v2/snapshots?page=2&per_page=10` } }, { pathPrefix: LAST });
    const error = await paginationFailure(collectSnapshots(client, { page: 1, perPage: 10, limit: 100 }));
    expect(error.message).toMatch(/points back to a page already fetched/);
    expect(api.requests).toHaveLength(5);
  });

  it('follows next links when the account grew during the scan', async () => {
    const volumes = api.snapshots.filter((snapshot) => snapshot.resource_type === 'volume');
    const lastPage = Math.ceil(volumes.length / 5);
    const extras = Array.from({ length: 5 }, (_, i) => ({ ...volumes[0]!, id: `ffffffff-ffff-4fff-bfff-fffffffffff${i}` }));
    api.inject({ type: 'mutate', apply: (snapshots) => void snapshots.push(...extras) }, { pathPrefix: '/v2/snapshots?page=2&' });
    const result = await collectSnapshots(client, { page: 1, perPage: 5, resourceType: 'volume', limit: 1000 });
    expect(result.snapshots).toEqual([...volumes, ...extras]);
    expect(api.requests.at(-1)!.url).toBe(`/v2/snapshots?page=${lastPage + 1}&per_page=5&resource_type=volume`);
    expect(result.drift).toMatchObject({ totalBefore: volumes.length, totalAfter: volumes.length + 5 });
  });

  it('keeps per_page and resource_type where a next link dropped them', async () => {
    const volumes = api.snapshots.filter((snapshot) => snapshot.resource_type === 'volume');
    const lastPage = Math.ceil(volumes.length / 5);
    api.inject({ type: 'links', pages: { next: `/v2/snapshots?page=${lastPage + 1}` } }, { pathPrefix: `/v2/snapshots?page=${lastPage}&` });
    const result = await collectSnapshots(client, { page: 1, perPage: 5, resourceType: 'volume', limit: 1000 });
    expect(result.snapshots).toEqual(volumes);
    expect(api.requests.at(-1)!.url).toBe(`/v2/snapshots?page=${lastPage + 1}&per_page=5&resource_type=volume`);
  });

  it('fetches no page the answer does not need', async () => {
    await collectSnapshots(client, { page: 1, perPage: 10, limit: 25 });
    expect(api.requests.map((request) => request.url)).toEqual([
      '/v2/snapshots?page=1&per_page=10',
      '/v2/snapshots?page=2&per_page=10',
      '/v2/snapshots?page=3&per_page=10',
    ]);
  });

  it('runs the needed pages concurrently, up to the client concurrency, in API order', async () => {
    api.setLatency(30);
    let inFlight = 0;
    let peak = 0;
    const observed = new DigitalOceanClient({
      apiUrl: new URL(api.url),
      token: FAKE_TOKEN,
      dispatcher,
      slots: new Slots(16),
      userAgent: 'test',
      concurrency: 3,
      onRequest: () => (inFlight -= 1),
    });
    const original = observed.getPage.bind(observed);
    observed.getPage = ((collection, url, context) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      return original(collection, url, context);
    }) as typeof observed.getPage;
    const result = await collectSnapshots(observed, { page: 1, perPage: 5, limit: 1000 });
    expect(result.snapshots).toEqual(api.snapshots);
    expect(result.pagesFetched).toBe(10);
    expect(peak).toBe(3);
  });

  it('reads a list it has read before in one round trip fewer, asking at once for the pages its total promised', async () => {
    api.setLatency(50);
    const concurrent = concurrentClient();
    const scan = () => wholeList(concurrent);
    // First: page 1 says there are 5 pages, then pages 2-5 together.
    expect((await scan()).snapshots).toEqual(api.snapshots);
    expect(roundTrips(api.requests)).toBe(2);
    api.requests.length = 0;
    // Again: pages 1-5 together, and the same list.
    const again = await scan();
    expect(again.snapshots).toEqual(api.snapshots);
    expect(again.pagesFetched).toBe(5);
    expect(api.requests.map((request) => request.url).sort()).toEqual(
      [1, 2, 3, 4, 5].map((page) => `/v2/snapshots?page=${page}&per_page=10`),
    );
    expect(roundTrips(api.requests)).toBe(1);
  });

  it('reads a list that shrank since right, at the cost of the pages it no longer has', async () => {
    const concurrent = concurrentClient();
    const scan = () => wholeList(concurrent);
    await scan();
    api.snapshots.splice(20);
    api.requests.length = 0;
    const shrunk = await scan();
    expect(shrunk.snapshots).toEqual(api.snapshots);
    expect([shrunk.total, shrunk.truncated, shrunk.drift]).toEqual([20, false, undefined]);
    expect(api.requests).toHaveLength(5);
    // Only a whole list is read that way: a limited read asks for its first page alone.
    api.requests.length = 0;
    await collectSnapshots(concurrent, { page: 1, perPage: 10, limit: 15 });
    expect(api.requests.map((request) => request.url)).toEqual(['/v2/snapshots?page=1&per_page=10', '/v2/snapshots?page=2&per_page=10']);
  });

  it('asks for the first page alone when the quota cannot take the pages a re-read expects, and says what it needs after it', async () => {
    const limited = concurrentClient({ quota: new TokenQuota(3) });
    const scan = () =>
      wholeList(limited, { deadline: Date.now() + 10_000 }).then(
        () => expect.unreachable('the quota should refuse the scan'),
        (error: unknown) => (error as QuotaError).shortfall,
      );
    // 5 pages at 3 requests a minute: page 1, then a refusal of the other 4 (2 allowed).
    expect(await scan()).toMatchObject({ needed: 4, total: 5, allowed: 2 });
    // Again: 5 pages at once would be over the quota, so page 1 alone, then the same refusal.
    expect(await scan()).toMatchObject({ needed: 4, total: 5, allowed: 1 });
    expect(api.requests.map((request) => request.url)).toEqual(['/v2/snapshots?page=1&per_page=10', '/v2/snapshots?page=1&per_page=10']);
  });

  it('slows down as the hourly quota runs low', async () => {
    await api.close();
    api = await startFakeApi({ count: 50, rateLimit: { perHour: 60, perMinute: 1000 } });
    const lowQuota = concurrentClient();
    expect(lowQuota.parallelism()).toBe(8);
    await collectSnapshots(lowQuota, { page: 1, perPage: 50, limit: 10 });
    expect(lowQuota.parallelism()).toBe(2);
    for (let i = 0; i < 40; i++) await collectSnapshots(lowQuota, { page: 1, perPage: 50, limit: 10 });
    expect(lowQuota.parallelism()).toBe(1);
  });

  it('treats a single page without links as the whole list', async () => {
    await api.close();
    api = await startFakeApi({ count: 7, singlePageLinks: 'omit' });
    client = new DigitalOceanClient({ apiUrl: new URL(api.url), token: FAKE_TOKEN, dispatcher, slots: new Slots(16), userAgent: 'test' });
    const result = await collectSnapshots(client, { page: 1, perPage: 20, limit: 100 });
    expect(result).toMatchObject({ total: 7, truncated: false, pagesFetched: 1, continuation: undefined });
  });

  it('reports where to continue: mid-page and at a page boundary', async () => {
    const mid = await collectSnapshots(client, { page: 1, perPage: 10, limit: 25 });
    expect(mid).toMatchObject({ truncated: true, pagesFetched: 3, continuation: { page: 3, skip: 5 } });
    const boundary = await collectSnapshots(client, { page: 2, perPage: 10, limit: 20 });
    expect(boundary.snapshots).toEqual(api.snapshots.slice(10, 30));
    expect(boundary).toMatchObject({ truncated: true, pagesFetched: 2, continuation: { page: 4, skip: 0 } });
  });

  it('stops at once when the signal aborts', async () => {
    api.setLatency(5_000);
    const controller = new AbortController();
    const pending = collectSnapshots(client, { page: 1, perPage: 10, limit: 50, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by the client')), 20);
    await expect(pending).rejects.toThrow('cancelled by the client');
  });

  it('refuses to send the token to any origin but the configured one', async () => {
    await expect(client.getPage(SNAPSHOTS, new URL(`${foreignUrl}/v2/snapshots`))).rejects.toThrow(/refused to send the token/);
    expect(foreignHits).toEqual([]);
  });
});

describe('through the tool', () => {
  it('a foreign next link is an actionable error, and nothing reaches the foreign host', async () => {
    const h = await harness({ count: 50 });
    h.api.inject({ type: 'links', pages: { next: `${foreignUrl}/v2/snapshots?page=6` } }, { pathPrefix: LAST });
    const result = await h.call({ per_page: 10, limit: 100 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/not followed and the token was not sent there/);
    expect(textOf(result)).toMatch(/stopped after 5 page\(s\) \(50 snapshots\); nothing is returned/);
    expect(foreignHits).toEqual([]);
    await h.close();
  });
});
