/** `dli-sync report --out FILE`: the window's HTML report; its path is the last line printed. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { storeFor } from '../../lib/app.ts';
import { type Env, loadStoreConfig } from '../../lib/config.ts';
import { BadRequestError } from '../../lib/errors.ts';
import { summarize } from '../../lib/report/availability.ts';
import { buildReport } from '../../lib/report/build.ts';
import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';
import { selectionFrom } from './selection.ts';

export async function run(
  _command: string,
  _args: string[],
  flags: Flags,
  env: Env,
  io: Io,
): Promise<number> {
  if (!flags.out) throw new BadRequestError('report needs --out FILE, e.g. --out report.html');
  const now = new Date();
  const { selection, window } = selectionFrom(flags, env, now);
  const store = storeFor(loadStoreConfig(env));
  const { html, results } = await buildReport(store, selection, window, now);
  const path = resolve(flags.out);
  await writeFile(path, html).catch((err: NodeJS.ErrnoException) => {
    throw new BadRequestError(`cannot write --out ${flags.out?.slice(0, 200)} (${err.code ?? err.message})`);
  });
  const s = summarize(results.map((r) => r.row));
  io.out(
    `${s.peerings} peerings of ${s.connections} connections, ${s.failures} failures; ${Buffer.byteLength(html)} bytes`,
  );
  io.out(path);
  return 0;
}
