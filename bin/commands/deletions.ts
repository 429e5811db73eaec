/** `deletions [--json]` lists what the mass-deletion fuse holds; `deletions confirm <region:projectId>` applies it. */

import { storeFor } from '../../lib/app.ts';
import { type Env, loadLease, loadQueryTargets, loadStoreConfig } from '../../lib/config.ts';
import { BadRequestError, ConfigError } from '../../lib/errors.ts';
import { targetLabel, targetSpec } from '../../lib/model/target.ts';
import { loadHeld } from '../../lib/store/held.ts';
import { confirmDeletions } from '../../lib/sync/deletions.ts';
import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';
import { deletionsTable } from '../format.ts';

export async function run(_command: string, args: string[], flags: Flags, env: Env, io: Io): Promise<number> {
  const [sub, spec] = args;
  const print = (value: unknown, text: () => string): void =>
    io.out(flags.json ? JSON.stringify(value, null, 2) : text());
  if (sub === undefined) {
    const store = storeFor(loadStoreConfig(env));
    // Held items hold exactly the contract's fields (lib/model/change.ts HeldDeletion).
    const list = (await Promise.all(loadQueryTargets(env).map((t) => loadHeld(store, t)))).flat();
    print(list, () => (list.length === 0 ? 'no held deletions' : deletionsTable(list)));
    return 0;
  }
  if (sub !== 'confirm' || spec === undefined) {
    throw new BadRequestError(
      'expected "deletions" or "deletions confirm <region:projectId>", e.g. deletions confirm cn-north-4:0a1b2c',
    );
  }
  const targets = loadQueryTargets(env);
  const target = targets.find((t) => targetSpec(t) === spec);
  if (!target) {
    throw new ConfigError(
      `target "${spec.slice(0, 80)}" is not configured; expected one of DLI_TARGETS: ${targets.map(targetSpec).join(', ')}`,
    );
  }
  const store = storeFor(loadStoreConfig(env));
  const lease = loadLease(env);
  const result = await confirmDeletions(store, target, {
    durationMs: lease.leaseDurationMs,
    periodMs: lease.leaseHeartbeatMs,
  });
  print(
    { region: target.region, projectId: target.projectId, ...result },
    () =>
      `${targetLabel(target)}: ${result.deleted} connection(s) deleted, ${result.events} event(s), ${result.released} held deletion(s) released`,
  );
  return 0;
}
