/**
 * What every Lambda handler keeps between invocations, owned once: the cold-start cache, telemetry,
 * the SSM parameter cache and the store. Not imported by the CLI (bin/), which has no cold start
 * and must not load Powertools or the SSM client to print its help.
 */
import { storeFor } from './app.ts';
import type { Env, StoreConfig } from './config.ts';
import { createTelemetry, type Telemetry } from './log.ts';
import { ParameterCache, resolveEnv, ssmReader } from './secrets.ts';
import type { Store } from './store/client.ts';

/**
 * The one cold-start cache: `build` runs once per container and concurrent invocations share its
 * promise. A failed build is not cached: the next invocation tries again, so a fixed parameter
 * needs no redeploy, and a container never keeps failing on yesterday's error.
 *
 * There is deliberately no max age here: values that change through SSM are cached by age where
 * they are read (lib/secrets.ts ParameterCache), and handlers validate the resolved configuration
 * on every invocation, so one owner decides how stale a parameter may be.
 */
export function coldStart<T>(build: () => T | Promise<T>): () => Promise<T> {
  let ready: Promise<T> | undefined;
  return () => {
    ready ??= Promise.resolve()
      .then(build)
      .catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
    return ready;
  };
}

/** The warm parts of a handler that reads its configuration through SSM. */
export interface LambdaShell {
  telemetry: Telemetry;
  /**
   * The environment with its SSM parameters resolved (targets, the Huawei key pair), each re-read
   * after its max age; call once per invocation and validate what it returns.
   */
  env(): Promise<Env>;
  /** A parameter's value, cached by age like the others (e.g. the API's cursor signing key). */
  parameter(name: string, variable: string, maxAgeMs: number): Promise<string>;
  /** The store of the configured table, made once per table name. */
  store(config: StoreConfig): Store;
}

/** `env` is the live process.env: the shell reads it on every invocation. */
export function lambdaShell(env: Env): LambdaShell {
  const params = new ParameterCache(ssmReader());
  let cached: { table: string; store: Store } | undefined;
  return {
    telemetry: createTelemetry(env),
    env: () => resolveEnv(env, params),
    parameter: (name, variable, maxAgeMs) => params.get(name, variable, maxAgeMs),
    store(config) {
      if (cached?.table !== config.tableName) cached = { table: config.tableName, store: storeFor(config) };
      return cached.store;
    },
  };
}
