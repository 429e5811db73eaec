/**
 * Error bodies as Huawei Cloud's services and gateways send them, read the way the official Go SDK
 * reads them (core/sdkerr/errors.go, `processServiceResponseError`), so that whatever it can explain
 * to a person, we can too:
 *
 * 1. `error_code` and `error_msg`, both non-empty strings (DLI: `DLI.0001`; APIG: `APIG.0308`);
 * 2. else `code` and `message`, both non-empty (IAM and newer services);
 * 3. else the same, one level down in any object value, e.g. `{"error": {"code": ..., "message": ...}}`
 *    (the SDK recurses without a depth limit; so do we, up to a bound a hostile body cannot abuse).
 *
 * Beyond the SDK: a numeric `code` is accepted (IAM sends `{"error":{"code":401,...}}`), a lone message
 * or code is still better than nothing, and `request_id` in the body is kept (APIG puts it there),
 * since the X-Request-Id header, which the SDK keeps, may be missing behind a proxy. The SDK also
 * keeps `encoded_authorization_message` (IAM's encoded reason for a denial): too long for a one-line
 * message, and nothing here decodes it, so it is left out. Pure.
 */

export interface ErrorBody {
  code: string | null;
  message: string | null;
  requestId: string | null;
}

type Obj = Record<string, unknown>;
const MAX_DEPTH = 8;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const codeOf = (v: unknown): string | null =>
  typeof v === 'number' && Number.isFinite(v) ? String(v) : str(v);

/** The SDK's pairs, first at this level, then depth-first in key order. */
function findPair(o: Obj, depth: number): { code: string; message: string; at: Obj } | null {
  const code = str(o.error_code);
  const message = str(o.error_msg);
  if (code !== null && message !== null) return { code, message, at: o };
  const code2 = codeOf(o.code);
  const message2 = str(o.message);
  if (code2 !== null && message2 !== null) return { code: code2, message: message2, at: o };
  if (depth >= MAX_DEPTH) return null;
  for (const v of Object.values(o)) {
    if (!isObj(v)) continue;
    const found = findPair(v, depth + 1);
    if (found) return found;
  }
  return null;
}

/** What an error body says, or null when it is not a JSON object that says anything we can use. */
export function parseErrorBody(json: unknown): ErrorBody | null {
  if (!isObj(json)) return null;
  const pair = findPair(json, 0);
  const requestId = str(json.request_id) ?? (pair ? str(pair.at.request_id) : null);
  const code = pair?.code ?? str(json.error_code) ?? codeOf(json.code);
  const message = pair?.message ?? str(json.error_msg) ?? str(json.message);
  if (code === null && message === null) return null;
  return { code, message, requestId };
}

/**
 * A request id fit for a one-line message: what servers send is hex, a UUID or similar; anything else
 * (or longer than 128 characters) is not an id and is dropped rather than quoted.
 */
export function cleanRequestId(value: unknown): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string') return null;
  const id = v.trim();
  return /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id) ? id : null;
}
