/**
 * `dli-sync serve`: the HTTP API's router (routes.ts, the one functions/api.ts runs) over node:http,
 * for browsing history locally. Loopback only and unauthenticated: whoever can reach 127.0.0.1 on
 * this machine reads every configured target, which is what the person running it can do with the
 * CLI anyway. Cursors are signed with a random per-process key, as the Lambda signs them with SSM's.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BadRequestError, describeError } from '../errors.ts';
import { isLoopbackHost } from '../validate.ts';
import { type ApiContext, type ApiResponse, route } from './routes.ts';
import { withSignedCursors } from './scope.ts';

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

export interface LocalServerOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  /** Served at GET /openapi.json. */
  document: unknown;
  /** Where request failures are told (never to the caller: it gets a one-line 500). */
  log: (line: string) => void;
}

/** A non-loopback host would publish an unauthenticated API: refused before anything listens. */
export function checkLoopback(host: string): void {
  if (!isLoopbackHost(host === '::1' ? '[::1]' : host))
    throw new BadRequestError(
      `--host ${host.slice(0, 60)} is not a loopback address; serve is unauthenticated, so it listens only on 127.0.0.0/8, localhost or ::1`,
    );
}

/** The query as API Gateway hands it over: a repeated parameter's values joined by commas. */
function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  return query;
}

function send(res: ServerResponse, answer: ApiResponse): void {
  const type = answer.contentType ?? 'application/json';
  const body = type === 'application/json' ? JSON.stringify(answer.body) : String(answer.body);
  res.writeHead(answer.status, {
    'content-type': type.includes('charset') ? type : `${type}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

export async function startLocalServer(ctx: ApiContext, opts: LocalServerOptions): Promise<LocalServer> {
  checkLoopback(opts.host);
  const key = randomBytes(32).toString('base64url');
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (method === 'GET' && url.pathname === '/openapi.json')
        return send(res, { status: 200, body: opts.document });
      send(res, await withSignedCursors(key, queryOf(url), (q) => route(ctx, method, url.pathname, q)));
    } catch (err) {
      opts.log(`request ${method} ${(req.url ?? '').slice(0, 200)} failed: ${describeError(err)}`);
      send(res, { status: 500, body: { error: 'internal error; see the serve command output' } });
    }
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const shown = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections open; a stop must not wait for them.
        server.closeAllConnections();
      }),
  };
}
