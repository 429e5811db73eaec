/**
 * Secrets and targets from SSM Parameter Store, for the deployed functions: the Huawei AK/SK pair
 * (a SecureString holding {"ak":"…","sk":"…"}, or named pairs: lib/credentials.ts) and the target list (DLI_TARGETS's format, so adding
 * a project is a parameter change, not a redeploy).
 *
 * Each value is read at cold start and cached; it is read again only after its max age (credentials
 * 15 minutes by default, so a rotated key is picked up without a redeploy; targets 1 minute). A failed
 * read is not cached, so the next invocation tries again. Concurrent readers share one request.
 *
 * Errors name the parameter and the SSM error's name, never the value nor the SDK's message (which
 * can echo input). The result is an environment overlay: lib/config.ts still validates everything.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type Env, loadParameterSources, parseTargets } from './config.ts';
import { parseNamedCredentials } from './credentials.ts';
import { ConfigError, DliSyncError } from './errors.ts';
import { checkParameterType, type ParameterKind } from './ssm-type.ts';

export interface ParameterReader {
  /** The decrypted value of one parameter; refused unless its type fits `kind` (lib/ssm-type.ts). */
  read(name: string, kind?: ParameterKind): Promise<string>;
}

/** The parameter exists but holds no value (SSM's answer had none). */
class EmptyParameterError extends DliSyncError {
  override name = 'EmptyParameterError';
}

/**
 * The one SSM reader (secrets, targets, the notifier's channels): GetParameter with decryption; the
 * client is made on first use so tests without SSM never build one.
 */
export function ssmReader(client?: Pick<SSMClient, 'send'>): ParameterReader {
  let ssm = client;
  return {
    async read(name, kind) {
      ssm ??= new SSMClient({ maxAttempts: 5 });
      const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      const value = out.Parameter?.Value;
      if (value === undefined) throw new EmptyParameterError('parameter has no value');
      checkParameterType(name, out.Parameter?.Type, kind);
      return value;
    },
  };
}

/**
 * A failed read as one line: the variable, the parameter and the error's name (the AWS SDK's way to
 * say what failed), never the SDK's message, which can echo input.
 */
export function unreadable(variable: string, name: string, err: unknown, expected: string): ConfigError {
  // A refused parameter type already says what is wrong, in one line naming the parameter.
  if (err instanceof ConfigError) return err;
  const kind = err instanceof Error ? err.name : 'Error';
  return new ConfigError(`${variable} ${name} could not be read (${kind}); expected ${expected}`);
}

interface Entry {
  value: Promise<string>;
  readAt: number;
}

export class ParameterCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly reader: ParameterReader,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value while younger than `maxAgeMs`, else a fresh read. */
  get(name: string, variable: string, maxAgeMs: number, kind: ParameterKind = 'secret'): Promise<string> {
    const hit = this.#entries.get(name);
    if (hit && this.now() - hit.readAt < maxAgeMs) return hit.value;
    const value = this.reader.read(name, kind).catch((err: unknown) => {
      this.#entries.delete(name);
      throw unreadable(variable, name, err, 'a parameter this function may read and decrypt');
    });
    this.#entries.set(name, { value, readAt: this.now() });
    return value;
  }
}

/**
 * `env` with the values its parameters point at: DLI_TARGETS from DLI_TARGETS_PARAMETER and
 * HUAWEICLOUD_SDK_AK/SK from HUAWEICLOUD_CREDENTIALS_PARAMETER. Without those variables it is `env`
 * itself, so the CLI and the tests never touch SSM.
 */
export async function resolveEnv(env: Env, cache: ParameterCache): Promise<Env> {
  const sources = loadParameterSources(env);
  if (!sources.credentials && !sources.targets) return env;
  const [credentials, targets] = await Promise.all([
    sources.credentials
      ? cache.get(sources.credentials, 'HUAWEICLOUD_CREDENTIALS_PARAMETER', sources.credentialsMaxAgeMs)
      : undefined,
    sources.targets
      ? cache.get(sources.targets, 'DLI_TARGETS_PARAMETER', sources.targetsMaxAgeMs, 'plain')
      : undefined,
  ]);
  const out: Env = { ...env };
  if (credentials !== undefined && sources.credentials) {
    const where = `SSM parameter ${sources.credentials} (HUAWEICLOUD_CREDENTIALS_PARAMETER)`;
    const parsed = parseNamedCredentials(credentials, where);
    // The parameter replaces any other way to authenticate, so the precedence is obvious.
    out.HUAWEICLOUD_SDK_AK = parsed.default?.ak;
    out.HUAWEICLOUD_SDK_SK = parsed.default?.sk;
    out.HUAWEICLOUD_SDK_SECURITY_TOKEN = undefined;
    out.HUAWEICLOUD_CREDENTIALS = Object.keys(parsed.named).length > 0 ? credentials : undefined;
  }
  if (targets !== undefined && sources.targets) {
    // Validated here so the error names the parameter rather than DLI_TARGETS.
    parseTargets(targets, env.DLI_ENDPOINT || undefined, `SSM parameter ${sources.targets}`);
    out.DLI_TARGETS = targets.trim();
  }
  return out;
}
