/** The selection and window of `availability` and `report`, from their flags. */
import { type Env, loadQueryTargets } from '../../lib/config.ts';
import { BadRequestError } from '../../lib/errors.ts';
import { targetSpec } from '../../lib/model/target.ts';
import type { Window } from '../../lib/report/availability.ts';
import type { Selection } from '../../lib/report/load.ts';
import { resolveWindow } from '../../lib/report/window.ts';
import type { Flags } from '../flags.ts';

export function selectionFrom(flags: Flags, env: Env, now: Date): { selection: Selection; window: Window } {
  const window = resolveWindow(flags.from, flags.to, now);
  const configured = loadQueryTargets(env);
  const targets = flags.target ? configured.filter((t) => targetSpec(t) === flags.target) : configured;
  if (flags.target && targets.length === 0)
    throw new BadRequestError(
      `--target ${flags.target} is not a configured target; expected one of ${configured.map(targetSpec).join(', ')}`,
    );
  return { selection: { targets, connectionId: flags.connection, queue: flags.queue }, window };
}
