/**
 * `dli-sync serve [--port 8080] [--host 127.0.0.1]`: the HTTP API's routes on loopback, without
 * authentication, against the table the CLI's configuration names (DynamoDB Local or a real one).
 * Runs until SIGINT (Ctrl-C) or SIGTERM, then closes the server and exits 0.
 */

import { checkLoopback, startLocalServer } from '../../lib/api/local-server.ts';
import { buildDocument } from '../../lib/api/openapi.ts';
import { storeFor } from '../../lib/app.ts';
import { type Env, loadQueryTargets, loadStoreConfig } from '../../lib/config.ts';
import { BadRequestError } from '../../lib/errors.ts';
import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';

export async function run(
  _command: string,
  _args: string[],
  flags: Flags,
  env: Env,
  io: Io,
): Promise<number> {
  const host = flags.host ?? '127.0.0.1';
  const port = flags.port ?? 8080;
  // Before reading configuration: a refused host says so even where nothing is configured.
  checkLoopback(host);
  const ctx = { store: storeFor(loadStoreConfig(env)), targets: loadQueryTargets(env) };
  const server = await startLocalServer(ctx, { host, port, document: buildDocument(), log: io.err }).catch(
    (err: unknown) => {
      const code = (err as { code?: unknown }).code;
      if (code === 'EADDRINUSE' || code === 'EACCES')
        throw new BadRequestError(
          `--port ${port} cannot be used on ${host} (${code}); pick another, e.g. --port 0 for any free port`,
        );
      throw err;
    },
  );
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.out(
    'dli-sync serve: loopback only, NO authentication: anyone on this machine can read every configured target',
  );
  io.out(`API: ${server.url}/  (document: ${server.url}/openapi.json; Ctrl-C stops)`);
  await stopped;
  await server.close();
  io.out('dli-sync serve: stopped');
  return 0;
}
