/**
 * A tiny S3 stand-in on 127.0.0.1 (free port) for the weekly report's tests: path-style PutObject
 * (`PUT /bucket/key`) and presigned GetObject. It checks what a real bucket would refuse outright
 * (no SigV4 Authorization header, no X-Amz-Signature on a GET) and records the content type; it
 * does not verify signatures (lib/dli/sign.ts's tests do that kind of work; here the SDK signs).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject {
  body: string;
  contentType: string | undefined;
}

export interface S3Sink {
  endpoint: string;
  /** By `bucket/key`. */
  objects: Map<string, StoredObject>;
  /** Every PUT, accepted or refused, in order: method path status. */
  log: string[];
  close(): Promise<void>;
}

const xmlError = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

export async function startS3Sink(): Promise<S3Sink> {
  const objects = new Map<string, StoredObject>();
  const log: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = decodeURIComponent(url.pathname.slice(1));
      const answer = (status: number, body = '', headers: Record<string, string> = {}) => {
        log.push(`${req.method} /${path} ${status}`);
        res.writeHead(status, { 'content-type': 'application/xml', ...headers }).end(body);
      };
      if (!/^[a-z0-9-]{3,63}\/.+/.test(path))
        return answer(400, xmlError('InvalidURI', 'expected /bucket/key'));
      if (req.method === 'PUT') {
        if (
          !/^AWS4-HMAC-SHA256 Credential=\S+, ?SignedHeaders=\S+, ?Signature=[0-9a-f]{64}$/.test(
            req.headers.authorization ?? '',
          )
        )
          return answer(403, xmlError('AccessDenied', 'missing SigV4 Authorization'));
        objects.set(path, {
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: req.headers['content-type'],
        });
        return answer(200, '', { etag: '"0"' });
      }
      if (req.method === 'GET') {
        if (!url.searchParams.get('X-Amz-Signature'))
          return answer(403, xmlError('AccessDenied', 'not signed'));
        const o = objects.get(path);
        if (!o) return answer(404, xmlError('NoSuchKey', 'no such key'));
        return answer(200, o.body, { 'content-type': o.contentType ?? 'binary/octet-stream' });
      }
      return answer(405, xmlError('MethodNotAllowed', 'PUT and GET only'));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    log,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
