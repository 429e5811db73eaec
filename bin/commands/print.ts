import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';

/** JSON with --json, else the human table (built only when needed). */
export const printer =
  (io: Io, flags: Flags) =>
  (value: unknown, text: () => string): void =>
    io.out(flags.json ? JSON.stringify(value, null, 2) : text());
