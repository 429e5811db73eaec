/** The read commands: connections, history, events, runs, peerings, snapshot, export. */

import { storeFor } from '../../lib/app.ts';
import { type Env, endpointFor, loadQueryTargets, loadStoreConfig } from '../../lib/config.ts';
import { BadRequestError } from '../../lib/errors.ts';
import { eventView } from '../../lib/model/event-view.ts';
import type { Connection, RunRecord } from '../../lib/model/schemas.ts';
import { FAILED } from '../../lib/model/status.ts';
import { listAllPeerings } from '../../lib/store/peerings.ts';
import { listConnections, listEvents, listHistory, listRuns } from '../../lib/store/query.ts';
import { snapshotAt } from '../../lib/store/snapshot.ts';
import { knownTargets } from '../../lib/store/targets.ts';
import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';
import {
  connectionsTable,
  eventsTable,
  historyTable,
  inventoryCsv,
  peeringsTable,
  runsTable,
} from '../format.ts';
import { printer } from './print.ts';

export async function run(command: string, args: string[], flags: Flags, env: Env, io: Io): Promise<number> {
  const print = printer(io, flags);
  const store = storeFor(loadStoreConfig(env));
  const order = flags.desc ? ('desc' as const) : ('asc' as const);
  switch (command) {
    case 'connections': {
      const all: Connection[] = [];
      // Every known target, retired ones included: their connections are kept (not tombstoned) and
      // shown until retention removes them; `targets` says which are retired.
      const targets = await knownTargets(store, loadQueryTargets(env), endpointFor(env), { retired: true });
      for (const target of targets) all.push(...(await listConnections(store, target)).items);
      const list = flags.status ? all.filter((c) => c.status === flags.status) : all;
      print(list, () => connectionsTable(list));
      return 0;
    }
    case 'history': {
      const id = args[0] ?? '';
      const page = await listHistory(store, id, {
        from: flags.from,
        to: flags.to,
        limit: flags.limit,
        order,
      });
      if (page.items.length === 0 && !flags.json) {
        io.err(`no history for connection ${id}`);
        return 0;
      }
      print(page.items, () => historyTable(page.items));
      return 0;
    }
    case 'events': {
      const page = await listEvents(store, { from: flags.from, to: flags.to, limit: flags.limit, order });
      print(page.items.map(eventView), () => eventsTable(page.items));
      return 0;
    }
    case 'runs': {
      const runs: RunRecord[] = [];
      for (const target of loadQueryTargets(env))
        runs.push(
          ...(await listRuns(store, target, { limit: flags.limit ?? 20, from: flags.from, to: flags.to }))
            .items,
        );
      runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
      print(runs, () => runsTable(runs));
      return 0;
    }
    case 'peerings': {
      // Every page: a list of failed peerings that silently stops at some count would hide failures.
      const rows = await listAllPeerings(store, loadQueryTargets(env), flags.status ?? FAILED);
      print(rows, () => peeringsTable(rows));
      return 0;
    }
    case 'snapshot':
    case 'export': {
      const at = flags.at;
      if (command === 'snapshot' && !at)
        throw new BadRequestError('snapshot needs --at, an ISO-8601 time, e.g. --at 2026-11-28T10:00:00Z');
      const list: Parameters<typeof inventoryCsv>[0] = [];
      for (const target of loadQueryTargets(env)) {
        if (!at) list.push(...(await listConnections(store, target)).items);
        else
          list.push(...(await snapshotAt(store, target, at, { includeDeleted: flags['include-deleted'] })));
      }
      if (flags.csv) io.out(inventoryCsv(list));
      else print(list, () => connectionsTable(list as Connection[]));
      return 0;
    }
    default:
      throw new BadRequestError(`unknown command "${command.slice(0, 40)}"`);
  }
}
