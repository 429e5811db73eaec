/**
 * A real HTTP server on 127.0.0.1 (free port) standing in for the chat platforms: records every
 * request exactly as received (headers, raw body) and answers what a test scripts per path,
 * including errors, 200-with-error-code bodies and 429 with Retry-After.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Parsed body; undefined when it is not JSON. */
  json: unknown;
}

export interface SinkReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type Responder = (req: SinkRequest) => SinkReply | Promise<SinkReply>;

/** What each platform answers on success. */
export const OK = {
  slack: { status: 200, body: 'ok' },
  teams: { status: 202, body: '' },
  feishu: { status: 200, body: JSON.stringify({ code: 0, msg: 'success', data: {} }) },
  dingtalk: { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) },
  wecom: { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) },
  discord: { status: 204, body: '' },
  googlechat: { status: 200, body: JSON.stringify({ name: 'spaces/S/messages/M' }) },
  webhook: { status: 200, body: '' },
  pagerduty: {
    status: 202,
    body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: 'k' }),
  },
  jsm: {
    status: 202,
    body: JSON.stringify({ result: 'Request will be processed', took: 0.01, requestId: 'r' }),
  },
} as const satisfies Record<string, SinkReply>;

/** Answers the given replies in order, then repeats the last one. */
export function sequence(...replies: SinkReply[]): Responder {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)] ?? { status: 500 };
}

export interface WebhookSink {
  /** Base URL plus path, e.g. sink.url('/slack'). */
  url(path: string): string;
  /** Every request, in arrival order. */
  requests: SinkRequest[];
  /** Requests to one path. */
  to(path: string): SinkRequest[];
  /** Sets the responder of a path and the paths below it (default: 200 with body `ok`). */
  on(path: string, responder: Responder | SinkReply): void;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const responders = new Map<string, Responder>();
  const requests: SinkRequest[] = [];
  // A path's responder also answers below it: JSM acknowledges and closes at {url}/{alias}/….
  const byPrefix = (path: string): Responder | undefined =>
    [...responders.keys()]
      .filter((p) => path.startsWith(`${p}/`))
      .sort((a, b) => b.length - a.length)
      .map((p) => responders.get(p))[0];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const record: SinkRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
      };
      requests.push(record);
      const responder: Responder =
        responders.get(url.pathname) ?? byPrefix(url.pathname) ?? (() => ({ status: 200, body: 'ok' }));
      Promise.resolve(responder(record)).then(
        (reply) => {
          res.writeHead(reply.status, reply.headers ?? {});
          res.end(reply.body ?? '');
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    to: (path) => requests.filter((r) => r.path === path),
    on: (path, responder) =>
      responders.set(path, typeof responder === 'function' ? responder : () => responder),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
