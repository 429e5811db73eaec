/**
 * DynamoDB faults that DynamoDB Local cannot produce, injected at the protocol edge: a middleware on
 * the client's stack, below the SDK's retry and deserializer, sees each HTTP request as sent and may
 * answer it with what the service would answer (a 400 throttling error, a cancelled transaction,
 * unprocessed items, a 500 after the write was applied) or delay it. The SDK then does what it does
 * with a real answer: deserializes it into the real exception class, retries it or not.
 *
 * The document client shares the raw client's middleware stack, so every call a Store makes passes here.
 */
import { Readable } from 'node:stream';
import type { Store } from '../../lib/store/client.ts';

export type DdbFaultKind =
  /** 400 ProvisionedThroughputExceededException (the SDK retries it as throttling). */
  | { type: 'throttle' }
  /** TransactionCanceledException with these cancellation codes (padded with `None` to the actions). */
  | { type: 'cancel'; codes: readonly string[] }
  /** BatchWriteItem: nothing written, everything back as UnprocessedItems; BatchGetItem: UnprocessedKeys. */
  | { type: 'unprocessed' }
  /** The request waits `ms` before it is sent. */
  | { type: 'slow'; ms: number }
  /** The request is applied, then the answer is lost: the client sees a 500 InternalServerError. */
  | { type: 'lost-response' }
  /** The request is applied, then the process dies: the client sees `CrashError`, never retried. */
  | { type: 'crash-after' }
  /** Strings are stored as UTF-8, as DynamoDB documents: a lone surrogate becomes U+FFFD. */
  | { type: 'utf8' }
  /** The request waits (before it is sent) until `until` settles: a stalled client or network. */
  | { type: 'hold'; until: Promise<unknown> };

export interface DdbFault {
  kind: DdbFaultKind;
  /** Operations it applies to (`TransactWriteItems`, `PutItem`, `Query`…); every one when omitted. */
  ops?: readonly string[];
  /** Matching requests to let through first. */
  after?: number;
  /** Matching requests it applies to, once `after` passed; default: all. */
  times?: number;
}

export interface InjectedFault {
  op: string;
  type: DdbFaultKind['type'];
}

export interface DdbFaults {
  add(fault: DdbFault): void;
  clear(): void;
  /** Faults applied so far, in order. */
  readonly injected: InjectedFault[];
  /** Resolves when a fault of this type is applied the `n`-th time (1 by default). */
  reached(type: DdbFaultKind['type'], n?: number): Promise<void>;
  /** HTTP requests seen per operation (each SDK attempt counts). */
  readonly requests: Map<string, number>;
  /** Resolves once no request is in flight (a dead run's last write may still land). */
  idle(): Promise<void>;
  /** Takes the middleware off the stack. */
  remove(): void;
}

/** What a process that died after a write looks like to the code still on the stack. */
export class CrashError extends Error {
  override name = 'CrashError';
}

const PREFIX = 'com.amazonaws.dynamodb.v20120810#';
const NAME = 'reliabilityDdbFaults';

interface WireRequest {
  headers: Record<string, string>;
  body?: unknown;
}
interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}
type Next = (args: { request: WireRequest }) => Promise<{ response: WireResponse; output?: unknown }>;
type Middleware = (next: Next) => (args: { request: WireRequest }) => Promise<{ response: WireResponse }>;
/** The stack's add/remove, without the SDK's per-step overloads (our handlers are untyped on purpose). */
interface Stack {
  add(
    middleware: unknown,
    options: { step: string; priority: string; name: string; override: boolean },
  ): void;
  remove(name: string): boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function answer(status: number, body: unknown): { response: WireResponse } {
  const text = JSON.stringify(body);
  return {
    response: {
      statusCode: status,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': String(Buffer.byteLength(text)),
        'x-amzn-requestid': 'RELIABILITYFAULT0000000000000000000000000000',
      },
      body: Readable.from([Buffer.from(text)]),
    },
  };
}

const error = (type: string, message: string, extra: Record<string, unknown> = {}) => ({
  __type: `${PREFIX}${type}`,
  message,
  ...extra,
});

function bodyJson(request: WireRequest): Record<string, unknown> {
  const body = request.body;
  // The SDK's body is a Uint8Array subclass that warns when used as a string: decode its bytes.
  const text =
    typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : '';
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Deep copy with every string made well-formed, as a UTF-8 encoder (DynamoDB's storage) would. */
function utf8Strings(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(utf8Strings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.toWellFormed(), utf8Strings(v)]),
    );
  }
  return value;
}

async function drain(response: WireResponse): Promise<void> {
  const body = response.body;
  if (body instanceof Readable) for await (const _ of body) void _;
}

export function injectDdbFaults(store: Store): DdbFaults {
  const faults: { fault: DdbFault; seen: number; used: number }[] = [];
  const injected: InjectedFault[] = [];
  const requests = new Map<string, number>();
  const waiters = new Set<{ type: DdbFaultKind['type']; n: number; resolve: () => void }>();

  const pick = (op: string): DdbFault | null => {
    for (const f of faults) {
      if (f.fault.ops && !f.fault.ops.includes(op)) continue;
      f.seen++;
      if (f.seen <= (f.fault.after ?? 0)) continue;
      if (f.used >= (f.fault.times ?? Number.POSITIVE_INFINITY)) continue;
      f.used++;
      return f.fault;
    }
    return null;
  };

  // Counted from the first step of each call: a request is "in flight" long before it reaches the wire.
  let inFlight = 0;
  const tracker = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    inFlight++;
    try {
      return await next(args);
    } finally {
      inFlight--;
    }
  };
  const middleware: Middleware = (next) => (args) => handle(next, args);
  const handle = async (next: Next, args: { request: WireRequest }): Promise<{ response: WireResponse }> => {
    const target = args.request.headers['x-amz-target'] ?? '';
    const op = target.slice(target.indexOf('.') + 1);
    requests.set(op, (requests.get(op) ?? 0) + 1);
    const fault = pick(op);
    if (!fault) return next(args);
    const kind = fault.kind;
    injected.push({ op, type: kind.type });
    for (const w of [...waiters]) {
      if (w.type === kind.type && injected.filter((f) => f.type === w.type).length >= w.n) {
        waiters.delete(w);
        w.resolve();
      }
    }
    switch (kind.type) {
      case 'throttle':
        return answer(
          400,
          error(
            'ProvisionedThroughputExceededException',
            'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
          ),
        );
      case 'cancel': {
        const items = bodyJson(args.request).TransactItems;
        const actions = Array.isArray(items) ? items.length : 1;
        const codes = Array.from({ length: actions }, (_, i) => kind.codes[i] ?? 'None');
        return answer(
          400,
          error(
            'TransactionCanceledException',
            `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
            {
              CancellationReasons: codes.map((Code) =>
                Code === 'None' ? { Code } : { Code, Message: `${Code} injected by the reliability suite` },
              ),
            },
          ),
        );
      }
      case 'unprocessed': {
        const body = bodyJson(args.request);
        if (op === 'BatchWriteItem') return answer(200, { UnprocessedItems: body.RequestItems ?? {} });
        if (op === 'BatchGetItem')
          return answer(200, { Responses: {}, UnprocessedKeys: body.RequestItems ?? {} });
        return next(args);
      }
      case 'slow':
        await sleep(kind.ms);
        return next(args);
      case 'lost-response': {
        const real = await next(args);
        await drain(real.response);
        return answer(500, error('InternalServerError', 'Internal server error (injected after the write)'));
      }
      case 'crash-after': {
        const real = await next(args);
        await drain(real.response);
        throw new CrashError(`process died after ${op} was applied`);
      }
      case 'hold':
        await kind.until.catch(() => undefined);
        return next(args);
      case 'utf8': {
        const text = JSON.stringify(utf8Strings(bodyJson(args.request)));
        args.request.body = new TextEncoder().encode(text);
        args.request.headers['content-length'] = String(Buffer.byteLength(text));
        return next(args);
      }
    }
  };

  const stack = store.raw.middlewareStack as unknown as Stack;
  stack.add(tracker, {
    step: 'initialize',
    priority: 'high',
    name: `${NAME}Tracker`,
    override: true,
  });
  stack.add(middleware, {
    step: 'deserialize',
    priority: 'low',
    name: NAME,
    override: true,
  });
  return {
    add: (fault) => {
      faults.push({ fault, seen: 0, used: 0 });
    },
    clear: () => {
      faults.length = 0;
    },
    injected,
    reached: (type, n = 1) =>
      injected.filter((f) => f.type === type).length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiters.add({ type, n, resolve });
          }),
    requests,
    idle: async () => {
      while (inFlight > 0) await sleep(5);
    },
    remove: () => {
      stack.remove(NAME);
      stack.remove(`${NAME}Tracker`);
    },
  };
}

/** Throttles every matching request `times` times in a row, then lets them through. */
export const throttle = (times: number, ops?: readonly string[]): DdbFault => ({
  kind: { type: 'throttle' },
  times,
  ...(ops ? { ops } : {}),
});
