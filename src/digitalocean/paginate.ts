import type { DigitalOceanClient, Page, RequestContext } from './client.js';
import { DigitalOceanPaginationError, IncompleteListError, QuotaError } from './errors.js';
import { SNAPSHOTS, type Collection, type ResourceType, type Snapshot } from './schemas.js';

export interface CollectOptions extends RequestContext {
  /** API page to start from (1-based). */
  page: number;
  /** Snapshots at the top of the first page to pass over (a continuation inside a page). */
  skip?: number;
  perPage: number;
  resourceType?: ResourceType | undefined;
  /** The most snapshots to return; Infinity reads every page. */
  limit: number;
  /** Told after each page: pages read so far, and pages this answer needs as far as known. */
  onProgress?: ((fetched: number, needed: number) => void) | undefined;
}

export type CollectResult = Omit<Collected<Snapshot>, 'items'> & { snapshots: Snapshot[] };

/** Where the next call starts to continue exactly after the last snapshot returned. */
export interface Continuation {
  page: number;
  /** Snapshots at the top of that page that this result already holds. */
  skip: number;
}

export interface Collected<T> {
  items: T[];
  /** `meta.total` of the first page fetched. */
  total: number;
  /** More snapshots exist after the last one returned. */
  truncated: boolean;
  pagesFetched: number;
  continuation: Continuation | undefined;
  /** Set when the account changed while it was paged: the list may have shifted. */
  drift: ListDrift | undefined;
}

export interface ListDrift {
  /** `meta.total` on the first and on the last page read. */
  totalBefore: number;
  totalAfter: number;
  /** Snapshots seen twice (a shift pushed them onto the next page) and dropped. */
  duplicatesRemoved: number;
}

// 200,000 snapshots at per_page=200, or limit 1000 at per_page=1: past this the API is misbehaving.
export const MAX_PAGES = 1000;

/**
 * Reads pages from the starting one until `limit` snapshots are in hand or the pages run out.
 * Page 1 tells how many pages exist (meta.total), so the pages still needed are then fetched
 * concurrently, as many at once as the client allows, and taken in API order; no page the answer
 * does not need is requested (a whole list read before opens with the pages it had: openingPages). If the account grew meanwhile, `links.pages.next` is followed from
 * there, checked before the token is sent along it. A failure after the first page throws
 * IncompleteListError rather than returning a shorter list.
 */
export async function collect<T extends Item>(
  client: DigitalOceanClient,
  collection: Collection<T>,
  options: CollectOptions,
): Promise<Collected<T>> {
  const { perPage, resourceType, limit } = options;
  const query = { perPage, resourceType };
  const collector = new Collector<T>(limit);
  const urlOf = (page: number) => client.listUrl(collection, { page, perPage, resourceType });
  const getPage = (url: URL, bounds: RequestContext) => client.getPage(collection, url, bounds);
  try {
    const first = options.page;
    const opening = await openingPages(client, collection, options);
    const read =
      opening.length === 1 ? [await getPage(urlOf(first), options)] : await fetchAll(opening.map(urlOf), getPage, client, options);
    let number = first;
    let page = read[0]!;
    let done: Collected<T> | undefined;
    for (const [i, opened] of read.entries()) {
      [number, page] = [opening[i]!, opened];
      client.noteTotal(collection, query, page.total);
      done = collector.absorb(page, number, i === 0 ? (options.skip ?? 0) : 0);
      if (done) return done;
    }

    const lastPage = Math.max(number, Math.ceil(page.total / perPage));
    const wanted = Math.min(lastPage, number + Math.ceil(collector.room() / perPage), first + MAX_PAGES - 1);
    const numbers = Array.from({ length: wanted - number }, (_, i) => number + 1 + i);
    const all = opening.length + numbers.length;
    // Known now: the pages still needed. None is read when the token's quota cannot take them all.
    await client.expectRequests(numbers.length, options, all);
    let fetched = opening.length;
    options.onProgress?.(fetched, all);
    // The rest will be about as large as the pages read: room for it is made before it is read.
    await options.budget?.expect(page.bytes * numbers.length, options.signal, options.deadline);
    const urls = numbers.map(urlOf);
    const requested = new Set([...opening.map((opened) => urlOf(opened).href), ...urls.map((url) => url.href)]);
    const pages = await fetchAll(
      urls,
      async (url, bounds) => {
        const result = await getPage(url, bounds);
        options.onProgress?.(++fetched, all);
        return result;
      },
      client,
      options,
    );
    for (const [i, fetched] of pages.entries()) {
      number = numbers[i]!;
      page = fetched;
      done = collector.absorb(page, number, 0);
      if (done) return done;
    }

    // Only when the list grew (or shifted) while it was read: follow the API's own links.
    for (;;) {
      if (!page.next) return collector.finish(false, undefined);
      const next = followable(client, collection, page.next, { perPage, resourceType });
      if (requested.has(next.href)) {
        throw new DigitalOceanPaginationError(
          `pagination stopped: the next-page link points back to a page already fetched (${next.pathname}${next.search})`,
        );
      }
      if (collector.pagesFetched >= MAX_PAGES)
        throw new DigitalOceanPaginationError(`pagination stopped: more than ${MAX_PAGES} pages were needed`);
      requested.add(next.href);
      number = Number(next.searchParams.get('page') ?? number + 1);
      page = await client.getPage(collection, next, options);
      options.onProgress?.(++fetched, fetched);
      done = collector.absorb(page, number, 0);
      if (done) return done;
    }
  } catch (error) {
    // A quota's refusal says itself what was read and what was not.
    if (collector.pagesFetched === 0 || error instanceof QuotaError) throw error;
    throw new IncompleteListError(error, collector.pagesFetched, collector.items.length);
  }
}

/**
 * The pages to ask for before any answer: the first alone, unless this reads a whole list the
 * client has read before. Then the pages its last `meta.total` promises go at once (as many as run
 * at once, and as the token's quota takes now): a round trip fewer; if the list changed since,
 * what they say decides the rest as usual.
 */
async function openingPages(client: DigitalOceanClient, collection: Collection<Item>, options: CollectOptions): Promise<number[]> {
  const { page, perPage, resourceType, limit } = options;
  const whole = page === 1 && limit === Number.POSITIVE_INFINITY;
  const count = whole ? Math.min(client.expectedPages(collection, { perPage, resourceType }), client.parallelism()) : 1;
  if (count > 1) {
    try {
      await client.expectRequests(count, options, count);
    } catch (error) {
      // Not now: the first page alone, and the scan's own check after it says what the quota allows.
      if (!(error instanceof QuotaError)) throw error;
      return [page];
    }
  }
  return Array.from({ length: count }, (_, i) => page + i);
}

/** The snapshot list, as the listing reads it. */
export async function collectSnapshots(client: DigitalOceanClient, options: CollectOptions): Promise<CollectResult> {
  const { items, ...rest } = await collect(client, SNAPSHOTS, options);
  return { ...rest, snapshots: items };
}

type Item = { id: string | number };

/** Takes pages in API order: de-duplicates by id, watches meta.total, stops at the limit. */
class Collector<T extends Item> {
  readonly items: T[] = [];
  pagesFetched = 0;
  private readonly ids = new Set<string>();
  private total: number | undefined;
  private lastTotal = 0;
  private duplicates = 0;

  constructor(private readonly limit: number) {}

  room(): number {
    return this.limit - this.items.length;
  }

  /** Returns the result once the answer is complete, else undefined to read on. */
  absorb(page: Page<T>, number: number, skip: number): Collected<T> | undefined {
    this.pagesFetched += 1;
    this.total ??= page.total;
    this.lastTotal = page.total;
    let consumed = Math.min(skip, page.items.length);
    for (const item of page.items.slice(consumed)) {
      if (this.items.length >= this.limit) break;
      consumed += 1;
      // A Droplet's id is a number, a snapshot's a string: one key for both.
      const id = String(item.id);
      if (this.ids.has(id)) {
        this.duplicates += 1;
        continue;
      }
      this.ids.add(id);
      this.items.push(item);
    }
    if (consumed < page.items.length) return this.finish(true, { page: number, skip: consumed });
    if (!page.next) return this.finish(false, undefined);
    if (this.items.length >= this.limit) return this.finish(true, { page: number + 1, skip: 0 });
    return undefined;
  }

  finish(truncated: boolean, continuation: Continuation | undefined): Collected<T> {
    const total = this.total ?? 0;
    const changed = this.lastTotal !== total || this.duplicates > 0;
    return {
      items: this.items,
      total,
      truncated,
      pagesFetched: this.pagesFetched,
      continuation,
      drift: changed ? { totalBefore: total, totalAfter: this.lastTotal, duplicatesRemoved: this.duplicates } : undefined,
    };
  }
}

/**
 * Runs `fetch` for every item, at most `client.parallelism()` at a time (asked again before each
 * start, so a token nearing its rate limit slows down), and returns the results in input order.
 * The first failure aborts the requests still running and is thrown.
 */
async function fetchAll<T, R>(
  items: T[],
  fetch: (item: T, bounds: RequestContext) => Promise<R>,
  client: DigitalOceanClient,
  bounds: RequestContext,
): Promise<R[]> {
  if (items.length === 0) return [];
  const failed = new AbortController();
  const signal = bounds.signal ? AbortSignal.any([bounds.signal, failed.signal]) : failed.signal;
  const results: R[] = new Array(items.length);
  let next = 0;
  let running = 0;
  let done = 0;
  return new Promise<R[]>((resolve, reject) => {
    const launch = () => {
      if (signal.aborted && running === 0 && !failed.signal.aborted) {
        failed.abort(signal.reason);
        reject(signal.reason);
        return;
      }
      while (next < items.length && running < client.parallelism() && !signal.aborted) {
        const index = next++;
        running += 1;
        fetch(items[index]!, { ...bounds, signal }).then(
          (result) => {
            results[index] = result;
            running -= 1;
            done += 1;
            if (done === items.length) resolve(results);
            else launch();
          },
          (error: unknown) => {
            running -= 1;
            if (!failed.signal.aborted) {
              failed.abort(error);
              reject(error);
            }
          },
        );
      }
    };
    launch();
  });
}

/**
 * A `next` link is network data: follow it only on the list endpoint of the configured origin, and
 * keep the query we asked for where the link dropped it (a link without resource_type would mix
 * snapshot types; one without type=gpus would list other Droplets).
 */
function followable(
  client: DigitalOceanClient,
  collection: Collection<Item>,
  next: URL,
  query: { perPage: number; resourceType?: ResourceType | undefined },
): URL {
  if (!client.isListUrl(collection, next)) {
    throw new DigitalOceanPaginationError(
      `DigitalOcean's next-page link leads to ${next.origin}${next.pathname}, not to ${client.endpoint(collection).href}; it was not followed and the token was not sent there`,
    );
  }
  const url = new URL(next);
  const kept: Record<string, string> = {
    ...collection.query,
    per_page: String(query.perPage),
    ...(query.resourceType && { resource_type: query.resourceType }),
  };
  for (const [name, value] of Object.entries(kept)) if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  return url;
}
