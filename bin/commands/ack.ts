/** `dli-sync ack <event-id> [--by NAME] [--note TEXT]`: someone is on this alert. */
import { userInfo } from 'node:os';
import { AckBodySchema, acknowledge } from '../../lib/api/ack.ts';
import { storeFor } from '../../lib/app.ts';
import { type Env, loadStoreConfig } from '../../lib/config.ts';
import { BadRequestError } from '../../lib/errors.ts';
import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';
import { printer } from './print.ts';

/** The OS user, as people expect of `--by`'s default; containers without a passwd entry fall back. */
function osUser(env: Env): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.USERNAME || 'unknown';
  }
}

export async function run(_command: string, args: string[], flags: Flags, env: Env, io: Io): Promise<number> {
  const input = AckBodySchema.safeParse({ by: flags.by ?? osUser(env), note: flags.note });
  if (!input.success) throw new BadRequestError(`--${input.error.issues[0]?.message ?? 'bad value'}`);
  const id = args[0] ?? '';
  const store = storeFor(loadStoreConfig(env));
  const out = await acknowledge(store, id, {
    by: input.data.by ?? 'unknown',
    note: input.data.note,
    now: new Date().toISOString(),
  });
  // An unknown id is a mistake in what was typed: bad use, like any other wrong argument.
  if (out.status === 'not-found') throw new BadRequestError(out.message);
  const b = out.body;
  printer(io, flags)(b, () =>
    b.status === 'acknowledged'
      ? `acknowledged ${b.eventId} (${b.type}) as ${b.acknowledgedBy} at ${b.acknowledgedAt}`
      : `${b.eventId} was already acknowledged by ${b.acknowledgedBy} at ${b.acknowledgedAt}; the first acknowledgement is kept`,
  );
  return 0;
}
