/**
 * The contract check: every answer an API test gets must be one the committed docs/openapi.json
 * describes (route, status, content type, body shape), validated with ajv, not with our own zod
 * schemas, so a route whose answer changes without the document being regenerated fails its tests.
 * A request for a route the document lacks may only get the documented 404/405 error body.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ApiContext, ApiResponse } from '../../lib/api/routes.ts';
import { route } from '../../lib/api/routes.ts';

type Json = Record<string, unknown>;
interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
}

const DOC_URL = new URL('../../docs/openapi.json', import.meta.url);
const doc = JSON.parse(readFileSync(DOC_URL, 'utf8')) as Doc & Json;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(doc, 'openapi.json');
const compiled = new Map<string, ValidateFunction>();

const pointerPart = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const segments = (p: string) => p.replace(/^\/+|\/+$/g, '').split('/');

function template(path: string): string | undefined {
  const got = segments(path);
  // Literal segments first, as the router does.
  const fits = Object.keys(doc.paths).filter((t) => {
    const want = segments(t);
    return want.length === got.length && want.every((w, i) => w.startsWith('{') || w === got[i]);
  });
  return fits.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))[0];
}

function validator(pointer: string): ValidateFunction {
  let v = compiled.get(pointer);
  if (!v) {
    v = ajv.compile({ $ref: `openapi.json#${pointer}` });
    compiled.set(pointer, v);
  }
  return v;
}

function check(pointer: string, body: unknown, what: string): void {
  const v = validator(pointer);
  // What a client gets is the JSON text: undefined fields vanish on the wire.
  const wire = typeof body === 'string' ? body : JSON.parse(JSON.stringify(body));
  if (!v(wire))
    throw new Error(`${what}: body does not match docs/openapi.json: ${ajv.errorsText(v.errors)}`);
}

/** Throws when (method, path, status, content type, body) is not what the document describes. */
export function assertDocumented(method: string, path: string, res: ApiResponse): void {
  const what = `${method} ${path} → ${res.status}`;
  const tpl = template(path);
  const op = tpl ? doc.paths[tpl]?.[method.toLowerCase()] : undefined;
  if (!tpl || !op) {
    if (res.status !== 404 && res.status !== 405)
      throw new Error(`${what}: the route is not in docs/openapi.json (only a 404 or 405 may answer it)`);
    check('/components/schemas/Error', res.body, what);
    return;
  }
  let response = op.responses[String(res.status)];
  let pointer = `/paths/${pointerPart(tpl)}/${method.toLowerCase()}/responses/${res.status}`;
  if (!response) throw new Error(`${what}: status ${res.status} is not documented for this route`);
  const ref = response.$ref;
  if (typeof ref === 'string') {
    pointer = ref.slice(1);
    response = (doc.components as { responses: Record<string, Json> }).responses[ref.split('/').pop() ?? ''];
  }
  const type = res.contentType ?? 'application/json';
  const content = (response?.content ?? {}) as Record<string, unknown>;
  if (!(type in content)) throw new Error(`${what}: content type ${type} is not documented`);
  check(`${pointer}/content/${pointerPart(type)}/schema`, res.body, what);
}

/** route(), with every answer checked against the document. */
export const contractRoute =
  (ctx: ApiContext) =>
  async (method: string, path: string, query: Record<string, string | undefined>): Promise<ApiResponse> => {
    const res = await route(ctx, method, path, query);
    assertDocumented(method, path, res);
    return res;
  };

/** The Lambda handler's (or the local server's) answer: status, content-type header, body text. */
export function assertDocumentedHttp(
  method: string,
  path: string,
  res: { statusCode: number; headers: Record<string, string>; body: string },
): void {
  const contentType = (res.headers['content-type'] ?? 'application/json').split(';')[0]?.trim();
  const json = contentType === 'application/json';
  assertDocumented(method, path, {
    status: res.statusCode,
    contentType,
    body: json ? JSON.parse(res.body) : res.body,
  });
}
