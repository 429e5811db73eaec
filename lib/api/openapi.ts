/**
 * The OpenAPI 3.1 document of the HTTP API, built from the route catalogue's zod schemas
 * (z.toJSONSchema; JSON Schema 2020-12 is OpenAPI 3.1's dialect). Pure: same catalogue, same
 * document. `npm run openapi` writes it to docs/openapi.json; `dli-sync serve` serves it.
 */
import { z } from 'zod';
import { ExtraSchema } from '../model/schemas.ts';
import { components, type RouteSpec, routeEntries } from './catalogue.ts';

type Json = Record<string, unknown>;

const REF = (id: string) => `#/components/schemas/${id}`;
/** The inner z.custom of ExtraSchema (".default" wraps it): an object of the API's unknown fields. */
const EXTRA = (ExtraSchema as unknown as { unwrap(): z.ZodType }).unwrap();

/** z.custom is opaque to zod's converter: say what ours is, and refuse any other rather than emit `{}`. */
function override(ctx: { zodSchema: unknown; jsonSchema: Json }): void {
  const def = (ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def;
  if (ctx.zodSchema === EXTRA) {
    ctx.jsonSchema.type = 'object';
    ctx.jsonSchema.description = 'Fields the DLI API sent that the known schema does not name.';
  } else if (def.type === 'custom' || def.type === 'transform') {
    throw new Error(`a ${def.type} schema cannot be documented; describe it with a plain zod type`);
  }
}

/** JSON Schema of one schema (inline, no $schema); `io` input for what callers send, output for answers. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', override }) as Json;
  return rest;
}

function componentSchemas(): Json {
  const { schemas } = z.toJSONSchema(components, {
    io: 'output',
    unrepresentable: 'any',
    override,
    uri: REF,
  }) as { schemas: Record<string, Json> };
  // $id and $schema per component are the converter's; in a document they only confuse resolvers.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $id: _i, $schema: _s, ...rest }]) => [id, rest]),
  );
}

/** The output schema of a registered component is its $ref; anything else is inlined. */
function responseSchema(schema: z.ZodType): Json {
  const id = components.get(schema)?.id;
  return id ? { $ref: REF(id) } : jsonSchema(schema, 'output');
}

function parameters(spec: RouteSpec): Json[] {
  const path = Object.entries(spec.pathParams ?? {}).map(([name, schema]) => {
    const { description, ...s } = jsonSchema(schema, 'input');
    return { name, in: 'path', required: true, description, schema: s };
  });
  const q = spec.query ? jsonSchema(spec.query, 'input') : { properties: {} };
  const required = new Set((q.required as string[] | undefined) ?? []);
  const query = Object.entries((q.properties as Record<string, Json>) ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.has(name),
    ...(PARAM_TEXT[name] ? { description: PARAM_TEXT[name] } : {}),
    schema: s,
  }));
  return [...path, ...query];
}

/** What the shared query parameters mean (their schemas in params.ts say only what they accept). */
const PARAM_TEXT: Record<string, string> = {
  region: 'With projectId: only this configured target (e.g. cn-north-4). Both or neither.',
  projectId: 'With region: only this configured target.',
  status: 'Case-insensitive status to filter by.',
  limit: 'Page size, 1 to 1000 (default 100); a page also ends before 4 MB of items.',
  cursor: 'Opaque: the `cursor` of the previous page, unchanged.',
  from: 'ISO-8601 instant or date, inclusive (e.g. 2026-11-28T10:00:00Z).',
  to: 'ISO-8601 instant or date, inclusive.',
  order: 'asc (oldest first, default) or desc.',
  at: 'ISO-8601 instant the inventory is rebuilt for.',
  includeDeleted: 'true: also connections that were DELETED at that instant.',
};

const errorRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

function operation(id: string, spec: RouteSpec): Json {
  const contentType = spec.contentType ?? 'application/json';
  const takesInput = spec.query || spec.pathParams || spec.body;
  return {
    operationId: id,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    parameters: parameters(spec),
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [String(spec.okStatus ?? 200)]: {
        description: 'OK',
        content: { [contentType]: { schema: responseSchema(spec.ok) } },
      },
      ...(takesInput ? { '400': errorRef('BadRequest') } : {}),
      ...(spec.pathParams ? { '404': errorRef('NotFound') } : {}),
      '500': errorRef('InternalError'),
    },
  };
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: REF('Error') } } },
});

const DESCRIPTION = `Read the DLI connection inventory, its history and change events that dli-sync keeps.

Deployed behind API Gateway with IAM authorization: every request is signed with AWS Signature Version 4
(\`execute-api:Invoke\`). One deployment serves one tenant; answers cover only its configured targets.
\`dli-sync serve\` runs the same routes on loopback without authentication, for local use.

Cursors are opaque and signed: pass back the \`cursor\` of the previous page unchanged; anything else is a 400.
An unknown route is a 404 and a method a path does not take is a 405, both with the \`Error\` body.
Fields may be added to responses in later versions; clients should ignore fields they do not know.`;

/**
 * The contract's own version (info.version), not the package's: bump the minor when a route or a
 * field is added, the major when one changes meaning or goes (schemas.ts says that never happens).
 */
const API_VERSION = '1.0.0';

export function buildDocument(routes: readonly [string, RouteSpec][] = routeEntries()): Json {
  const paths: Record<string, Json> = {};
  for (const [id, spec] of routes) {
    paths[spec.path] = { ...paths[spec.path], [spec.method.toLowerCase()]: operation(id, spec) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'dli-sync query API',
      version: API_VERSION,
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'The deployed HTTP API (IAM, SigV4)',
        variables: { apiId: { default: 'api-id' }, region: { default: 'eu-west-1' } },
      },
      { url: 'http://127.0.0.1:8080', description: 'dli-sync serve (loopback, no authentication)' },
    ],
    security: [{ sigv4: [] }],
    paths,
    components: {
      schemas: componentSchemas(),
      responses: {
        BadRequest: errorResponse('A parameter is invalid; the error names it and what is expected.'),
        NotFound: errorResponse('No such item among the configured targets.'),
        InternalError: errorResponse('Unexpected failure; details are in the function log, not here.'),
      },
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            'AWS Signature Version 4 (IAM authorization of API Gateway): sign each request for the service execute-api.',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
}

/** docs/openapi.json's exact text (two-space JSON, final newline; Biome is told to leave it alone). */
export const documentText = (): string => `${JSON.stringify(buildDocument(), null, 2)}\n`;
