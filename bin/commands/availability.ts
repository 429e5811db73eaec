/** `dli-sync availability`: per peering, how long it was ACTIVE, CREATING, FAILED or absent in a window. */
import { storeFor } from '../../lib/app.ts';
import { type Env, loadStoreConfig } from '../../lib/config.ts';
import { peeringLabel } from '../../lib/model/peering-key.ts';
import { type AvailabilityRow, byTarget, type Figures } from '../../lib/report/availability.ts';
import { selectionAvailability } from '../../lib/report/load.ts';
import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';
import { csv, duration, table } from '../format.ts';
import { printer } from './print.ts';
import { selectionFrom } from './selection.ts';

export async function run(
  _command: string,
  _args: string[],
  flags: Flags,
  env: Env,
  io: Io,
): Promise<number> {
  const { selection, window } = selectionFrom(flags, env, new Date());
  const store = storeFor(loadStoreConfig(env));
  const rows = (await selectionAvailability(store, selection, window)).map((r) => r.row);
  if (flags.csv) io.out(availabilityCsv(rows));
  else printer(io, flags)(rows, () => availabilityText(rows, window));
  return 0;
}

const percent = (a: number | null): string => (a === null ? '-' : `${(a * 100).toFixed(3)} %`);
const seconds = (s: number | null): string => (s === null ? '-' : duration(s * 1000));

function availabilityText(rows: AvailabilityRow[], w: { from: string; to: string }): string {
  if (rows.length === 0) return `no peering existed between ${w.from} and ${w.to}`;
  const figures = (f: Figures) => [
    percent(f.availability),
    f.failures,
    seconds(f.mttrSeconds),
    seconds(f.longestOutageSeconds),
    seconds(f.seconds.failed),
  ];
  const head = ['AVAILABILITY', 'FAILURES', 'MTTR', 'LONGEST OUTAGE', 'FAILED FOR'];
  const targets = table(
    ['TARGET', 'CONNECTIONS', 'PEERINGS', ...head],
    byTarget(rows).map((t) => [`${t.region}/${t.projectId}`, t.connections, t.peerings, ...figures(t)]),
  );
  const peerings = table(
    ['CONNECTION', 'NAME', 'PEERING', ...head],
    rows.map((r) => [r.connectionId, r.connectionName, peeringLabel(r, r.peeringKey), ...figures(r)]),
  );
  return `window ${w.from} to ${w.to}\n\n${targets}\n\n${peerings}`;
}

/** One line per peering, the seconds spread over four columns. */
const availabilityCsv = (rows: AvailabilityRow[]): string =>
  csv(
    [
      'region',
      'projectId',
      'connectionId',
      'connectionName',
      'queue',
      'peerId',
      'peeringKey',
      'resourceKind',
      'activeSeconds',
      'creatingSeconds',
      'failedSeconds',
      'absentSeconds',
      'availability',
      'failures',
      'recoveries',
      'mttrSeconds',
      'longestOutageSeconds',
      'otherSeconds',
    ],
    rows.map((r) => [
      r.region,
      r.projectId,
      r.connectionId,
      r.connectionName,
      r.queue,
      r.peerId,
      r.peeringKey,
      r.resourceKind,
      r.seconds.active,
      r.seconds.creating,
      r.seconds.failed,
      r.seconds.absent,
      r.availability,
      r.failures,
      r.recoveries,
      r.mttrSeconds,
      r.longestOutageSeconds,
      r.otherSeconds,
    ]),
  );
