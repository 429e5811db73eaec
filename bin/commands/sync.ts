/** `dli-sync sync`: every configured target once; exit 0 only if every sweep completed. */

import { storeFor } from '../../lib/app.ts';
import { type Env, loadSyncConfig } from '../../lib/config.ts';
import { closeDliPools } from '../../lib/dli/client.ts';
import { targetLabel } from '../../lib/model/target.ts';
import { resolveTargets, withResolution } from '../../lib/sync/resolve.ts';
import { syncAll } from '../../lib/sync/run.ts';
import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';
import { runLine } from '../format.ts';

export async function run(
  _command: string,
  _args: string[],
  flags: Flags,
  env: Env,
  io: Io,
): Promise<number> {
  const configured = loadSyncConfig(env);
  const resolution = await resolveTargets(configured);
  for (const p of resolution.problems)
    io.err(`error: ${p.message}${p.keptCached ? ' (using the last discovered list)' : ''}`);
  const config = withResolution(configured, resolution);
  const store = storeFor(config);
  const summary = await syncAll(config, {
    store,
    onProgress: (p) => {
      if (flags.json) return;
      if (p.kind === 'target-start') io.err(`syncing ${targetLabel(p.target)} …`);
      else io.out(runLine(p.run));
    },
  });
  if (flags.json) io.out(JSON.stringify(summary.runs, null, 2));
  // Keep-alive sockets would otherwise hold the process open for their idle timeout.
  await closeDliPools();
  return summary.ok && resolution.problems.length === 0 ? 0 : 1;
}
