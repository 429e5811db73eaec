/**
 * The one HTTP call: POST with undici, a timeout, and at most 64 KiB of the answer read. Redirects
 * are not followed (undici's default): a webhook that redirects is misconfigured, and following it
 * could carry the body elsewhere. Errors never carry the URL: only the error code.
 *
 * Unless NOTIFY_ALLOW_PRIVATE_HOSTS is on, the connection is made only to public addresses: the
 * host name is resolved by our own `lookup` and every address DNS answers must be public
 * (lib/notify/destinations.ts), checked before connecting, so a name that resolves (or is later
 * re-pointed) to 169.254.169.254, loopback or a private network is refused.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import type { HttpReply, HttpRequest } from './channels/types.ts';
import { isPublicAddress } from './destinations.ts';

const MAX_BODY = 64 * 1024;

export type Post = (req: HttpRequest, timeoutMs: number) => Promise<HttpReply>;

/** A network failure, described without the URL (undici messages can include host and path). */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

const privateAddress = (): Error =>
  Object.assign(new Error('destination resolves to a non-public address'), { code: 'EPRIVATEADDRESS' });

/** dns.lookup, answering only when every address is public. */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address)))
      return callback(privateAddress(), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const [first] = addresses as [LookupAddress];
    return callback(null, first.address, first.family);
  });
};

let publicAgent: Agent | undefined;

export function createPost(policy: { allowPrivateHosts?: boolean | undefined }): Post {
  return async (req, timeoutMs) => {
    try {
      let dispatcher: Agent | undefined;
      if (policy.allowPrivateHosts !== true) {
        // An IP literal never reaches `lookup`: checked here.
        const host = new URL(req.url).hostname.replace(/^\[|\]$/g, '');
        if (isIP(host) !== 0 && !isPublicAddress(host)) throw privateAddress();
        dispatcher = publicAgent ??= new Agent({ connect: { lookup: publicOnlyLookup } });
      }
      const res = await request(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
        ...(dispatcher ? { dispatcher } : {}),
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
}

/** Public destinations only: what a deployment uses. */
export const postHttp: Post = createPost({ allowPrivateHosts: false });
