/**
 * The one HTTP call: POST with undici, a timeout, and at most 64 KiB of the answer read. Redirects
 * are not followed (undici's default): a webhook that redirects is misconfigured, and following it
 * could carry the body elsewhere. Errors never carry the URL: only the error code.
 */
import { request } from 'undici';
import type { HttpReply, HttpRequest } from './channels/types.ts';

const MAX_BODY = 64 * 1024;

export type Post = (req: HttpRequest, timeoutMs: number) => Promise<HttpReply>;

/** A network failure, described without the URL (undici messages can include host and path). */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export const postHttp: Post = async (req, timeoutMs) => {
  try {
    const res = await request(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    let body = '';
    for await (const chunk of res.body) {
      if (body.length < MAX_BODY) body += Buffer.from(chunk as Uint8Array).toString('utf8');
    }
    return { status: res.statusCode, headers: res.headers, body: body.slice(0, MAX_BODY) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const name = err instanceof Error ? err.name : 'Error';
    throw new NetworkError(`network error (${typeof code === 'string' ? code : name})`);
  }
};
