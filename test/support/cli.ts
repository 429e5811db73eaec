/** Runs the real CLI executable in a child process, as a person or a script would. */
import { fileURLToPath } from 'node:url';
import { type ProcessResult, runNode } from '../../infra/local/process.ts';

const BIN = fileURLToPath(new URL('../../bin/dli-sync.js', import.meta.url));

export type CliResult = ProcessResult;

/** Only what we pass, plus PATH: the test's own environment must not leak configuration in. */
export const runCli = (args: string[], env: Record<string, string | undefined>): Promise<CliResult> =>
  runNode([BIN, ...args], { PATH: process.env.PATH, ...env });
