import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API, findRoute, type RouteSpec } from '../../lib/api/catalogue.ts';
import { buildDocument, documentText } from '../../lib/api/openapi.ts';
import { assertDocumented } from '../support/contract.ts';

const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
type Doc = { paths: Record<string, Record<string, Record<string, unknown>>> } & Record<string, unknown>;
const doc = buildDocument() as Doc;

describe('OpenAPI document from the route catalogue', () => {
  it('the committed docs/openapi.json is exactly what the catalogue generates (npm run openapi)', () => {
    expect(committed).toBe(documentText());
  });

  it('documents every catalogued route with its operationId, success, 400 and 500 answers', () => {
    for (const [id, spec] of Object.entries(API) as [string, RouteSpec][]) {
      const op = doc.paths[spec.path]?.[spec.method.toLowerCase()] as {
        operationId: string;
        responses: object;
      };
      expect(op.operationId).toBe(id);
      const ok = String(spec.okStatus ?? 200);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining([ok, '400', '500']));
    }
    expect(Object.values(doc.paths).flatMap(Object.keys)).toHaveLength(Object.keys(API).length);
  });

  it('names IAM (SigV4) as the security scheme and the query parameters from params.ts', () => {
    expect(doc.security).toEqual([{ sigv4: [] }]);
    const params = doc.paths['/snapshot']?.get?.parameters as { name: string; required: boolean }[];
    expect(params.map((p) => `${p.name}${p.required ? '!' : ''}`)).toEqual([
      'region',
      'projectId',
      'at!',
      'cursor',
      'includeDeleted',
    ]);
  });

  it('describes ExtraSchema (a z.custom) as an object, and refuses any other schema it cannot represent', () => {
    const schemas = (doc.components as { schemas: Record<string, { properties: Record<string, unknown> }> })
      .schemas;
    expect(schemas.Connection?.properties.extra).toMatchObject({ type: 'object' });
    const route = (ok: z.ZodType): [string, RouteSpec][] => [
      ['x', { method: 'GET', path: '/x', summary: 'x', ok }],
    ];
    expect(() => buildDocument(route(z.custom<string>(() => true)))).toThrow(
      /custom schema cannot be documented/,
    );
    expect(() => buildDocument(route(z.string().transform(Number)))).toThrow(/cannot be documented/);
  });
});

describe('findRoute (the router gate)', () => {
  const spec = (method: 'GET' | 'POST', path: string): RouteSpec => ({
    method,
    path,
    summary: '',
    ok: z.null(),
  });
  const routes: [string, RouteSpec][] = [
    ['list', spec('GET', '/things')],
    ['one', spec('GET', '/things/{id}')],
    ['search', spec('POST', '/things/search')],
    ['expire', spec('POST', '/things/{id}/expire')],
  ];
  it.each([
    ['GET', '/things', { kind: 'found', id: 'list', params: {} }],
    ['GET', '/things/', { kind: 'found', id: 'list', params: {} }],
    ['GET', '/things/t1', { kind: 'found', id: 'one', params: { id: 't1' } }],
    ['POST', '/things/search', { kind: 'found', id: 'search', params: {} }],
    // The literal route is POST only; a GET of the same path is the {id} route.
    ['GET', '/things/search', { kind: 'found', id: 'one', params: { id: 'search' } }],
    ['POST', '/things/t1/expire', { kind: 'found', id: 'expire', params: { id: 't1' } }],
    ['DELETE', '/things', { kind: 'wrong-method', allowed: ['GET'] }],
    ['GET', '/things/t1/expire', { kind: 'wrong-method', allowed: ['POST'] }],
    ['GET', '/nothing', { kind: 'no-route' }],
    ['GET', '/things/t1/expire/now', { kind: 'no-route' }],
  ])('%s %s → %j', (method, path, want) => {
    expect(findRoute(method, path, routes)).toMatchObject(want);
  });
});

describe('the contract check (test/support/contract.ts)', () => {
  const page = { items: [], cursor: null };
  it('accepts a documented answer', () => {
    expect(() => assertDocumented('GET', '/events', { status: 200, body: page })).not.toThrow();
    expect(() =>
      assertDocumented('GET', '/events', { status: 400, body: { error: 'limit: …' } }),
    ).not.toThrow();
    expect(() =>
      assertDocumented('GET', '/nope', { status: 404, body: { error: 'no route' } }),
    ).not.toThrow();
  });
  it.each([
    ['a body of another shape', 'GET', '/events', { status: 200, body: { items: [] } }, /cursor/],
    ['an extra field', 'GET', '/events', { status: 200, body: { ...page, total: 0 } }, /additional/],
    ['a wrong item', 'GET', '/events', { status: 200, body: { items: [{ id: 1 }], cursor: null } }, /items/],
    ['an undocumented status', 'GET', '/events', { status: 404, body: { error: 'x' } }, /status 404/],
    ['an undocumented route', 'GET', '/nope', { status: 200, body: page }, /not in docs\/openapi.json/],
    ['an undocumented method', 'POST', '/events', { status: 200, body: page }, /not in docs\/openapi.json/],
    [
      'an undocumented content type',
      'GET',
      '/events',
      { status: 200, body: '<p>', contentType: 'text/html' },
      /content type/,
    ],
  ])('rejects %s', (_what, method, path, res, message) => {
    expect(() => assertDocumented(method, path, res)).toThrow(message);
  });
});
