import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../helpers.js';
import { serve, type Served } from './served.js';

/**
 * The call deadline holds whatever the upstream does and whatever the garbage collector does: an
 * upstream that sends its headers and then one byte every 500 ms (so no socket timeout ever fires)
 * while other calls churn the heap. Run on Node 20, 22 and 24 (CI).
 */
let served: Served;
beforeAll(async () => {
  served = await serve({ count: 3000 }, { CALL_DEADLINE_SECONDS: '5' });
  served.api.inject(
    { type: 'drip', intervalMs: 500 },
    { pathPrefix: '/v2/snapshots?page=1&per_page=200&resource_type=volume', times: 1000 },
  );
});
afterAll(async () => {
  await served.close();
});

describe(`a dripping upstream on Node ${process.versions.node}`, () => {
  it.each([1, 2, 3])('is cut off at the 5 s deadline while the heap churns (run %i)', async () => {
    let churning = true;
    const churn = (async () => {
      while (churning) expect((await served.call({ resource_type: 'droplet', summary: true, limit: 200 })).isError).toBeFalsy();
    })();
    const started = performance.now();
    const result = await served.call({ resource_type: 'volume', summary: true });
    const seconds = (performance.now() - started) / 1000;
    churning = false;
    await churn;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/did not finish within its 5 s deadline/);
    expect(seconds).toBeGreaterThan(4.5);
    expect(seconds).toBeLessThan(6.5);
  });
});
