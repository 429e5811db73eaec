/** `dli-sync targets [--json]`: every known target, its source, state, last complete sweep and connections. */

import { targetsResponse } from '../../lib/api/targets.ts';
import { storeFor } from '../../lib/app.ts';
import { type Env, loadQueryTargets, loadStoreConfig } from '../../lib/config.ts';
import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';
import { table } from '../format.ts';
import { printer } from './print.ts';

export async function run(
  _command: string,
  _args: string[],
  flags: Flags,
  env: Env,
  io: Io,
): Promise<number> {
  const store = storeFor(loadStoreConfig(env));
  const { items } = await targetsResponse(store, loadQueryTargets(env));
  printer(io, flags)(items, () =>
    items.length === 0
      ? 'no targets known yet; run "dli-sync sync" first'
      : table(
          ['REGION', 'PROJECT', 'NAME', 'ACCOUNT', 'SOURCE', 'STATE', 'LAST COMPLETE SWEEP', 'CONNECTIONS'],
          items.map((t) => [
            t.region,
            t.projectId,
            t.projectName,
            t.account ?? '(default)',
            t.source,
            t.state,
            t.lastCompleteSweepAt ?? 'never',
            t.connections,
          ]),
        ),
  );
  return 0;
}
