/**
 * A real OTLP/HTTP trace receiver for tests: a node:http server on port 0 that accepts
 * `POST /v1/traces` (application/x-protobuf, optionally gzip) and decodes ExportTraceServiceRequest with
 * a minimal protobuf reader — only the fields the tests assert:
 *
 *   ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }
 *   ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2 }
 *   Resource      { repeated KeyValue attributes = 1 }
 *   ScopeSpans    { InstrumentationScope scope = 1; repeated Span spans = 2 }
 *   Span          { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5;
 *                   SpanKind kind = 6; repeated KeyValue attributes = 9; Status status = 15 }
 *   KeyValue      { string key = 1; AnyValue value = 2 }
 *   AnyValue      { string = 1 | bool = 2 | int64 = 3 | double = 4 | ArrayValue = 5 | bytes = 7 }
 *   Status        { string message = 2; StatusCode code = 3 }
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type AttrValue = string | number | boolean | bigint | AttrValue[] | Uint8Array | undefined;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Record<string, AttrValue>;
  /** 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly statusMessage: string;
  /** From the enclosing ResourceSpans. */
  readonly resource: Record<string, AttrValue>;
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:4318` (post to `${url}/v1/traces`). */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Raw requests seen (path, content-type, headers) — to assert custom OTLP headers. */
  readonly requests: { path: string; headers: Record<string, string | string[] | undefined> }[];
  /** Resolves once `predicate(spans)` is true, or rejects after `timeoutMs`. */
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpReceiver['requests'] = [];
  const spanWaiter = createSpanWaiter(spans, 'OTLP receiver');
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers });
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        spans.push(...decodeExportTraceServiceRequest(body));
      } catch (e) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(e));
        return;
      }
      // An empty ExportTraceServiceResponse.
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      spanWaiter.notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    waitFor: spanWaiter.waitFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Waits until the received spans satisfy a predicate; each receiver calls `notify` after storing spans. */
export function createSpanWaiter(
  spans: readonly ReceivedSpan[],
  label: string,
): {
  notify(): void;
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<void>;
} {
  const waiters = new Set<() => void>();
  return {
    notify() {
      for (const w of waiters) w();
    },
    waitFor(predicate, timeoutMs = 10_000) {
      if (predicate(spans)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate(spans)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${label}: condition not met within ${timeoutMs}ms (${spans.length} spans)`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}

// ---- protobuf wire format --------------------------------------------------------------------------

interface Field {
  readonly no: number;
  readonly wire: number;
  /** varint / fixed64 / fixed32 as bigint; length-delimited as bytes. */
  readonly value: bigint | Uint8Array;
}

/** All fields of one message, in order. Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
export function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const fixed = (n: number): bigint => {
    if (pos + n > buf.length) throw new Error('truncated fixed field');
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[pos + i] as number);
    pos += n;
    return v;
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 1) out.push({ no, wire, value: fixed(8) });
    else if (wire === 5) out.push({ no, wire, value: fixed(4) });
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new Error('truncated length-delimited field');
      out.push({ no, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const bytesOf = (f: Field): Uint8Array => f.value as Uint8Array;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function decodeAnyValue(buf: Uint8Array): AttrValue {
  const f = readFields(buf)[0];
  if (!f) return undefined;
  switch (f.no) {
    case 1:
      return text(bytesOf(f));
    case 2:
      return f.value !== 0n;
    case 3: {
      const v = BigInt.asIntN(64, f.value as bigint);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 4:
      return new Float64Array(new BigUint64Array([f.value as bigint]).buffer)[0];
    case 5:
      return readFields(bytesOf(f))
        .filter((x) => x.no === 1)
        .map((x) => decodeAnyValue(bytesOf(x)));
    case 7:
      return bytesOf(f);
    default:
      return undefined;
  }
}

function decodeAttributes(fields: Field[], no: number): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const f of fields) {
    if (f.no !== no) continue;
    let key = '';
    let value: AttrValue;
    for (const kv of readFields(bytesOf(f))) {
      if (kv.no === 1) key = text(bytesOf(kv));
      else if (kv.no === 2) value = decodeAnyValue(bytesOf(kv));
    }
    out[key] = value;
  }
  return out;
}

function decodeSpan(buf: Uint8Array, resource: Record<string, AttrValue>): ReceivedSpan {
  const fields = readFields(buf);
  const one = (no: number): Field | undefined => fields.find((f) => f.no === no);
  let statusCode = 0;
  let statusMessage = '';
  const status = one(15);
  if (status) {
    for (const s of readFields(bytesOf(status))) {
      if (s.no === 2) statusMessage = text(bytesOf(s));
      if (s.no === 3) statusCode = Number(s.value);
    }
  }
  const bytesField = (no: number): string => {
    const f = one(no);
    return f ? hex(bytesOf(f)) : '';
  };
  const name = one(5);
  const kind = one(6);
  return {
    traceId: bytesField(1),
    spanId: bytesField(2),
    parentSpanId: bytesField(4),
    name: name ? text(bytesOf(name)) : '',
    kind: kind ? Number(kind.value) : 0,
    attributes: decodeAttributes(fields, 9),
    statusCode,
    statusMessage,
    resource,
  };
}

export function decodeExportTraceServiceRequest(buf: Uint8Array): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of readFields(buf)) {
    if (rs.no !== 1) continue;
    const rsFields = readFields(bytesOf(rs));
    const res = rsFields.find((f) => f.no === 1);
    const resource = res ? decodeAttributes(readFields(bytesOf(res)), 1) : {};
    for (const ss of rsFields) {
      if (ss.no !== 2) continue;
      for (const sp of readFields(bytesOf(ss))) {
        if (sp.no === 2) out.push(decodeSpan(bytesOf(sp), resource));
      }
    }
  }
  return out;
}
