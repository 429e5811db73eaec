/**
 * `silence add --match SELECTOR --until ISO|DURATION --reason TEXT [--by NAME]`, `silence list`,
 * `silence expire <id>`: the same library calls as the API's /silences routes.
 */
import { userInfo } from 'node:os';
import { addSilence, SilenceIdParam } from '../../lib/api/silences.ts';
import { storeFor } from '../../lib/app.ts';
import { type Env, loadStoreConfig } from '../../lib/config.ts';
import { BadRequestError } from '../../lib/errors.ts';
import type { Silence } from '../../lib/model/silence.ts';
import { expireSilence, listSilences } from '../../lib/store/silences.ts';
import { firstIssue } from '../../lib/validate.ts';
import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';
import { table } from '../format.ts';
import { printer } from './print.ts';

const USAGE =
  'expected "silence add --match … --until … --reason …", "silence list" or "silence expire <id>"';

/** Who made it: --by, else the OS user (null where the platform has none, e.g. some containers). */
function author(by: string | undefined): string | null {
  if (by !== undefined) return by;
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}

const matchText = (s: Silence): string =>
  Object.entries(s.match)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

function silencesTable(list: readonly Silence[], now: string): string {
  return table(
    ['ID', 'MATCH', 'STARTS AT', 'ENDS AT', 'STATE', 'BY', 'REASON'],
    list.map((s) => [
      s.id,
      matchText(s),
      s.startsAt,
      s.endsAt,
      s.startsAt > now ? 'pending' : now < s.endsAt ? 'active' : 'ended',
      s.createdBy,
      s.reason,
    ]),
  );
}

export async function run(_command: string, args: string[], flags: Flags, env: Env, io: Io): Promise<number> {
  const [sub, id] = args;
  const print = printer(io, flags);
  const now = Date.now();
  const iso = new Date(now).toISOString();
  const addOnly = (['match', 'until', 'reason', 'by'] as const).find((f) => flags[f] !== undefined);
  if (sub !== 'add' && addOnly) throw new BadRequestError(`--${addOnly} is for "silence add" only`);
  if (sub === 'add' && id === undefined) {
    for (const f of ['match', 'until', 'reason'] as const)
      if (flags[f] === undefined) throw new BadRequestError(`silence add needs --${f}; ${USAGE}`);
    const by = author(flags.by);
    const store = storeFor(loadStoreConfig(env));
    const s = await addSilence(
      store,
      { match: flags.match, until: flags.until, reason: flags.reason, ...(by ? { createdBy: by } : {}) },
      now,
      { match: '--match', until: '--until' },
    );
    print(s, () => `silence ${s.id} holds ${matchText(s)} until ${s.endsAt}`);
    return 0;
  }
  if (sub === 'list' && id === undefined) {
    const store = storeFor(loadStoreConfig(env));
    const list = (await listSilences(store)).reverse();
    print(list, () => (list.length === 0 ? 'no silences' : silencesTable(list, iso)));
    return 0;
  }
  if (sub === 'expire' && id !== undefined) {
    const checked = SilenceIdParam.safeParse(id);
    if (!checked.success) throw new BadRequestError(firstIssue(checked.error));
    const store = storeFor(loadStoreConfig(env));
    const s = await expireSilence(store, id, iso);
    if (!s) throw new BadRequestError(`silence ${id} not found; dli-sync silence list shows the ids`);
    print(s, () => `silence ${s.id} ended at ${s.endsAt}`);
    return 0;
  }
  throw new BadRequestError(USAGE);
}
