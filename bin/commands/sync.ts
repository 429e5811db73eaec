/**
 * `dli-sync sync`: every configured target once; exit 0 only if every sweep completed or found its
 * target denied / not enabled (a state, not a failure).
 */

import { storeFor } from '../../lib/app.ts';
import { type Env, loadSyncConfig } from '../../lib/config.ts';
import { closeDliPools } from '../../lib/dli/client.ts';
import { targetLabel } from '../../lib/model/target.ts';
import { syncAll } from '../../lib/sync/run.ts';
import { recordTargets, resolvedFromConfig } from '../../lib/sync/targets.ts';
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
  const config = loadSyncConfig(env);
  const store = storeFor(config);
  // The registry first: a target dropped from DLI_TARGETS becomes retired (kept, never swept).
  await recordTargets(store, resolvedFromConfig(config.targets), new Date());
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
  return summary.ok ? 0 : 1;
}
