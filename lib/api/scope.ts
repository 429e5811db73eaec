/**
 * What one API caller may see, and cursors it cannot forge. The stance (README "Query history
 * through the API", docs/security.md): one deployment serves one tenant; IAM decides who may call
 * the API at all, and the API answers only about the configured targets. Every item is checked
 * against them, whichever route found it (an id, the events index, a cursor).
 *
 * Cursors are opaque to callers but carry our read positions (target index, DynamoDB keys). They are
 * signed with HMAC-SHA256 under a key from SSM, so a caller can only hand back a cursor this API
 * issued: no hand-made key positions, no target index of its own choosing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Target } from '../model/schemas.ts';

export const inTargets = (targets: readonly Target[], item: { region: string; projectId: string }): boolean =>
  targets.some((t) => t.region === item.region && t.projectId === item.projectId);

const mac = (key: string, value: string): string =>
  createHmac('sha256', key).update(value).digest('base64url');

export const signCursor = (key: string, cursor: string): string => `${cursor}.${mac(key, cursor)}`;

/** The cursor this API issued, or null when `signed` is not one (forged, altered, or another key). */
export function verifyCursor(key: string, signed: string): string | null {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return null;
  const cursor = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1));
  const expected = Buffer.from(mac(key, cursor));
  return given.length === expected.length && timingSafeEqual(given, expected) ? cursor : null;
}

interface Response {
  status: number;
  body: unknown;
  contentType?: string;
}
type Query = Record<string, string | undefined>;

/**
 * Runs a route with signed cursors: the incoming `cursor` is verified and unwrapped (a bad one is a
 * 400), the outgoing `cursor` is signed. Without a key (local use) cursors pass as they are.
 */
export async function withSignedCursors(
  key: string | null,
  query: Query,
  run: (query: Query) => Promise<Response>,
): Promise<Response> {
  if (key === null) return run(query);
  let q = query;
  if (query.cursor !== undefined) {
    const cursor = verifyCursor(key, query.cursor);
    if (cursor === null)
      return {
        status: 400,
        body: { error: 'cursor is not valid; expected the cursor value returned by the previous page' },
      };
    q = { ...query, cursor };
  }
  const res = await run(q);
  const body = res.body as { cursor?: unknown } | null;
  if (body && typeof body === 'object' && typeof body.cursor === 'string')
    return { ...res, body: { ...body, cursor: signCursor(key, body.cursor) } };
  return res;
}
