/**
 * `dli-sync sync`: every configured target once; exit 0 only if every sweep completed or found its
 * target denied / not enabled (a state, not a failure).
 */

import { storeFor } from '../../lib/app.ts';
import { type Env, loadSyncConfig } from '../../lib/config.ts';
import { closeDliPools } from '../../lib/dli/client.ts';
import { targetLabel } from '../../lib/model/target.ts';
import { resolveTargets, withResolution } from '../../lib/sync/resolve.ts';
import { syncAll } from '../../lib/sync/run.ts';
import { recordResolution } from '../../lib/sync/targets.ts';
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
  // The registry first: a target no longer configured or discovered becomes retired (kept, never swept).
  await recordResolution(store, resolution, new Date());
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
