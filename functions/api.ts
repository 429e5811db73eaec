/**
 * HTTP API (API Gateway HTTP API, IAM-authorized): GET routes over the shared query layer, and
 * the writes of silences and acknowledgements (the JSON body is handed to the route; bad JSON is a 400).
 * Bad parameters are a 400 naming the parameter; anything unexpected is a 500 without details
 * (those go to the log).
 */
import { route } from '../lib/api/routes.ts';
import { withSignedCursors } from '../lib/api/scope.ts';
import { type Env, endpointFor, loadQueryTargets, loadStoreConfig } from '../lib/config.ts';
import { BadRequestError, ConfigError, describeError } from '../lib/errors.ts';
import { coldStart, type LambdaShell, lambdaShell } from '../lib/lambda.ts';
import { knownTargets } from '../lib/store/targets.ts';

interface HttpApiEvent {
  requestContext?: {
    http?: { method?: string; path?: string };
    authorizer?: { iam?: { userArn?: string } };
  };
  body?: string | null;
  isBase64Encoded?: boolean;
  rawPath?: string;
  queryStringParameters?: Record<string, string | undefined> | null;
}

interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const boot = coldStart(() => lambdaShell(process.env));

export async function handler(event: HttpApiEvent): Promise<HttpApiResult> {
  const shell = await boot();
  try {
    // Targets may live in SSM (DLI_TARGETS_PARAMETER), so adding a project needs no redeploy here either.
    const env = await shell.env();
    const store = shell.store(loadStoreConfig(env));
    // Configured targets and the registry's others (discovered, retired): a retired target's
    // connections stay readable until retention, as in the CLI.
    const targets = await knownTargets(store, loadQueryTargets(env), endpointFor(env), { retired: true });
    const ctx = { store, targets };
    const method = event.requestContext?.http?.method ?? 'GET';
    const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    const key = await cursorKey(env, shell);
    const res = await withSignedCursors(key, event.queryStringParameters ?? {}, (q) =>
      route(ctx, method, path, q, {
        body:
          event.isBase64Encoded && event.body
            ? Buffer.from(event.body, 'base64').toString('utf8')
            : event.body,
        // The IAM identity that signed the request: who acknowledged, when the body names nobody.
        caller: event.requestContext?.authorizer?.iam?.userArn ?? null,
      }),
    );
    // A route may answer other than JSON (an HTML page): its content type and text pass through.
    if (res.contentType && res.contentType !== 'application/json')
      return { statusCode: res.status, headers: { 'content-type': res.contentType }, body: String(res.body) };
    return json(res.status, res.body);
  } catch (err) {
    if (err instanceof BadRequestError) return json(400, { error: err.message });
    shell.telemetry.logger.error('api request failed', { error: describeError(err) });
    return json(500, { error: 'internal error; see the function log' });
  }
}

/** The cursor signing key: a SecureString (API_CURSOR_KEY_PARAMETER) when deployed, or API_CURSOR_KEY. */
async function cursorKey(env: Env, shell: LambdaShell): Promise<string | null> {
  const name = env.API_CURSOR_KEY_PARAMETER?.trim();
  const key = name
    ? await shell.parameter(name, 'API_CURSOR_KEY_PARAMETER', 15 * 60_000)
    : env.API_CURSOR_KEY || null;
  if (key !== null && key.length < 32)
    throw new ConfigError(
      'the cursor key is shorter than 32 characters; expected e.g. openssl rand -base64 32',
    );
  return key;
}

const json = (statusCode: number, body: unknown): HttpApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
