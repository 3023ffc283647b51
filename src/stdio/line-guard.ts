import { Transform, type TransformCallback } from 'node:stream';

/**
 * Stands between stdin and the SDK's stdio transport. The SDK drops a line that is not valid
 * JSON-RPC without answering, and closes the whole connection when one line outgrows its 10 MB
 * buffer. This passes on only well-formed JSON-RPC lines of bounded size, answers the rest with
 * the JSON-RPC error the spec prescribes (-32700 parse error, -32600 invalid request), and holds at
 * most `maxLineBytes` of any line in memory.
 */

export const MAX_LINE_BYTES = 1024 * 1024;
const SNIFF_BYTES = 256;

export interface JsonRpcErrorReply {
  jsonrpc: '2.0';
  id: string | number | null;
  error: { code: number; message: string };
}

export interface LineGuardOptions {
  /** Where error answers go: stdout, line by line, next to the transport's own writes. */
  reply: (message: JsonRpcErrorReply) => void;
  maxLineBytes?: number;
  onRejected?: (reason: string) => void;
}

export class LineGuard extends Transform {
  private parts: Buffer[] = [];
  private size = 0;
  private head: Buffer | undefined;
  private tail = Buffer.alloc(0);
  private readonly max: number;

  constructor(private readonly options: LineGuardOptions) {
    super();
    this.max = options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      this.collect(chunk.subarray(start, newline));
      this.finishLine();
      start = newline + 1;
    }
    if (start < chunk.length) this.collect(chunk.subarray(start));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.size > 0 || this.head) this.finishLine();
    callback();
  }

  private collect(piece: Buffer): void {
    if (piece.length === 0) return;
    if (!this.head && this.size + piece.length <= this.max) {
      this.parts.push(piece);
      this.size += piece.length;
      return;
    }
    // Too long: keep only the ends, where a JSON-RPC id is usually written.
    if (!this.head) {
      this.head = Buffer.concat([...this.parts, piece]).subarray(0, SNIFF_BYTES);
      this.parts = [];
    }
    this.size += piece.length;
    this.tail = Buffer.concat([this.tail, piece]).subarray(-SNIFF_BYTES);
  }

  private finishLine(): void {
    const oversized = this.head !== undefined;
    const line = oversized ? '' : Buffer.concat(this.parts).toString('utf8');
    const sniffed = oversized ? sniffId(this.head!.toString('utf8'), this.tail.toString('utf8')) : null;
    const size = this.size;
    this.parts = [];
    this.size = 0;
    this.head = undefined;
    this.tail = Buffer.alloc(0);

    if (oversized) {
      this.reject(sniffed, -32600, `Invalid Request: message of ${size} bytes is over the ${this.max}-byte limit`);
      return;
    }
    if (line.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.reject(null, -32700, 'Parse error: the line is not valid JSON');
      return;
    }
    const problem = invalidReason(message);
    if (problem) this.reject(idOf(message), -32600, `Invalid Request: ${problem}`);
    else this.push(`${line}\n`);
  }

  private reject(id: string | number | null, code: number, message: string): void {
    this.options.onRejected?.(message);
    this.options.reply({ jsonrpc: '2.0', id, error: { code, message } });
  }
}

function invalidReason(message: unknown): string | undefined {
  if (Array.isArray(message)) return 'batches are not supported';
  if (message === null || typeof message !== 'object') return 'expected a JSON-RPC object';
  const record = message as Record<string, unknown>;
  if (record.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  if ('id' in record && typeof record.id !== 'string' && typeof record.id !== 'number') return 'id must be a string or a number';
  if ('method' in record && typeof record.method !== 'string') return 'method must be a string';
  if (!('method' in record) && !('result' in record) && !('error' in record)) return 'no method, result or error';
  if ('params' in record && (record.params === null || typeof record.params !== 'object')) return 'params must be an object';
  return undefined;
}

function idOf(message: unknown): string | number | null {
  const id = (message as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** Best effort: `"id":…` right after `"jsonrpc":"2.0"` at the start, or as the last member. */
function sniffId(head: string, tail: string): string | number | null {
  const value = String.raw`(-?\d+|"(?:[^"\\]|\\.){0,200}")`;
  const match =
    new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${value}`).exec(head) ??
    new RegExp(String.raw`"id"\s*:\s*${value}\s*\}\s*$`).exec(tail);
  if (!match) return null;
  try {
    const id = JSON.parse(match[1]!) as unknown;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}
