import type { Dispatcher } from 'undici';
import type { ResponseHeaders } from './rate-limit.js';

/** The door to undici: its public Agent, and one GET read whole. */

/**
 * undici's Agent, loaded on a process's first call: no start loads the HTTP client. undici is a
 * CommonJS package: its module.exports is the default export, from the build's dist/undici.cjs as
 * from node_modules.
 */
export async function loadAgent(): Promise<typeof import('undici').Agent> {
  return (await import('undici')).default.Agent;
}

export interface Answer {
  statusCode: number;
  headers: ResponseHeaders;
  /** The body, read whole as UTF-8. */
  text: string;
}

export interface GetOptions {
  headers: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/**
 * One GET on `dispatcher`, answered with its body read whole. A handler of our own rather than
 * undici's request(): that one turns the parsed headers back into raw ones (for its older handler
 * interface) to parse them again, and streams a body we read whole anyway, which was about a tenth
 * of the server's work for a 50-snapshot page.
 */
export function get(dispatcher: Dispatcher, url: URL, { signal, ...options }: GetOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    let statusCode = 0;
    let headers: ResponseHeaders = {};
    const chunks: Buffer[] = [];
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    // Answer at once; the request itself stops as soon as undici has started it.
    const onAbort = () => {
      controller?.abort(signal!.reason);
      settle(() => reject(signal!.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    dispatcher.dispatch(
      { ...options, origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET' },
      {
        onRequestStart(started) {
          controller = started;
          if (settled) started.abort(signal?.reason);
        },
        onResponseStart(_controller, status, responseHeaders) {
          statusCode = status;
          headers = responseHeaders;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          settle(() => resolve({ statusCode, headers, text: Buffer.concat(chunks).toString('utf8') }));
        },
        onResponseError(_controller, error) {
          settle(() => reject(error));
        },
      },
    );
  });
}
