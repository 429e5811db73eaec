/**
 * dli-sync: the command line. Same library calls as the Lambda functions; readable tables for
 * people, --json for scripts. Exit codes: 0 ok, 1 a sync did not complete or an operation failed,
 * 2 bad usage or configuration (nothing written).
 *
 * People type `dli-sync events` many times a day, so startup stays small: this file loads only
 * node:util and the error classes. The flag rules (zod) load once --help is ruled out, and a
 * command's own module (the AWS SDK, undici) only when that command runs. bin/dli-sync.js runs a
 * prebuilt bundle of this file when it is up to date (scripts/build-cli.ts).
 */
import { parseArgs } from 'node:util';
import type { Env } from '../lib/config.ts';
import { BadRequestError, ConfigError, describeError } from '../lib/errors.ts';
import type { Flags } from './flags.ts';
import { terminalText } from './terminal.ts';

export const USAGE = `usage: dli-sync <command> [options]
  setup                          create the DynamoDB table (idempotent)
  sync [--json]                  sync every configured target once
  connections [--status S] [--json]
  history <connection-id> [--from ISO] [--to ISO] [--limit N] [--desc] [--json]
  events [--from ISO] [--to ISO] [--limit N] [--desc] [--json]
  runs [--from ISO] [--to ISO] [--limit N] [--json]
  peerings [--status S] [--json]                 peerings in a status (default FAILED), all targets
  snapshot --at ISO [--include-deleted] [--json|--csv]   the inventory as it was at that instant
  export [--json|--csv]                           the current inventory (tombstones included)
  redeliver (--event ID | --failed [--from ISO] [--to ISO]) [--json]   resend events to chat channels
  deletions [--json]                              deletions held by the mass-deletion fuse
  deletions confirm <region:projectId> [--json]   apply that target's held deletions
  availability [--from ISO] [--to ISO] [--target region:projectId] [--connection ID] [--queue GLOB] [--json|--csv]
                                                  per peering: seconds ACTIVE/CREATING/FAILED/absent, failures, MTTR
  report --out FILE [--from ISO] [--to ISO] [--target region:projectId]   one self-contained HTML report
  serve [--port 8080] [--host 127.0.0.1]          the HTTP API on loopback, unauthenticated (Ctrl-C stops)
  targets [--json]                                every known target: source, state, last sweep, connections
  ack <event-id> [--by NAME] [--note TEXT] [--json]   acknowledge an alert (someone is on it)
  silence add --match SELECTOR --until ISO|DURATION --reason TEXT [--by NAME] [--json]
  silence list [--json]                           silences, newest first
  silence expire <id> [--json]                    end a silence now`;

const OPTIONS = {
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  at: { type: 'string' },
  'include-deleted': { type: 'boolean' },
  event: { type: 'string' },
  failed: { type: 'boolean' },
  status: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  desc: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  by: { type: 'string' },
  note: { type: 'string' },
  match: { type: 'string' },
  until: { type: 'string' },
  reason: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  target: { type: 'string' },
  connection: { type: 'string' },
  queue: { type: 'string' },
  out: { type: 'string' },
} as const;
type Option = keyof typeof OPTIONS;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** A command's module: loaded only when that command runs. */
export interface CommandModule {
  run(command: string, args: string[], flags: Flags, env: Env, io: Io): Promise<number>;
}

interface Command {
  /** The flags the command reads (--help aside); any other is a mistake worth one line. */
  flags: readonly Option[];
  /** What the positional arguments are, when the command takes any. */
  argument?: string;
  /** How many positional arguments it takes: exactly one when `argument` is set, else none. */
  arity?: readonly number[];
  load: () => Promise<CommandModule>;
}

const query = () => import('./commands/query.ts');
const RANGE = ['from', 'to', 'limit'] as const;
const COMMANDS: Record<string, Command> = {
  setup: { flags: [], load: () => import('./commands/setup.ts') },
  sync: { flags: ['json'], load: () => import('./commands/sync.ts') },
  connections: { flags: ['status', 'json'], load: query },
  history: {
    flags: [...RANGE, 'desc', 'json'],
    argument: 'exactly one connection id, e.g. dli-sync history 4c693ecc-…',
    load: query,
  },
  events: { flags: [...RANGE, 'desc', 'json'], load: query },
  runs: { flags: [...RANGE, 'json'], load: query },
  peerings: { flags: ['status', 'json'], load: query },
  snapshot: { flags: ['at', 'include-deleted', 'json', 'csv'], load: query },
  export: { flags: ['json', 'csv'], load: query },
  redeliver: {
    flags: ['event', 'failed', 'from', 'to', 'json'],
    load: () => import('./commands/redeliver.ts'),
  },
  deletions: {
    flags: ['json'],
    argument:
      'no argument (list) or "confirm <region:projectId>", e.g. dli-sync deletions confirm cn-north-4:0a1b2c',
    arity: [0, 2],
    load: () => import('./commands/deletions.ts'),
  },
  availability: {
    flags: ['from', 'to', 'target', 'connection', 'queue', 'json', 'csv'],
    load: () => import('./commands/availability.ts'),
  },
  report: { flags: ['from', 'to', 'target', 'out'], load: () => import('./commands/report.ts') },
  serve: { flags: ['port', 'host'], load: () => import('./commands/serve.ts') },
  targets: { flags: ['json'], load: () => import('./commands/targets.ts') },
  ack: {
    flags: ['by', 'note', 'json'],
    argument: 'exactly one event id, e.g. dli-sync ack evt_…',
    load: () => import('./commands/ack.ts'),
  },
  silence: {
    flags: ['match', 'until', 'reason', 'by', 'json'],
    argument: '"add", "list" or "expire <id>", e.g. dli-sync silence expire sil_…',
    arity: [1, 2],
    load: () => import('./commands/silence.ts'),
  },
};

const HINT = 'see dli-sync --help';
/** The user's own text in a message: cut, so a pasted blob cannot flood the one line. */
const cut = (s: string, n = 40): string => (s.length > n ? `${s.slice(0, n)}…` : s);

interface CommandLine {
  positionals: string[];
  values: Partial<Record<Option, string | boolean>>;
  help: boolean;
}

/**
 * argv → command line, or a BadRequestError naming the first problem. Node's strict mode throws a
 * paragraph (and refuses `--limit -5` as "ambiguous" instead of letting the value rule say what a
 * limit is), so parseArgs runs lenient and the tokens are checked here.
 */
function parseCommandLine(argv: string[]): CommandLine {
  const { tokens, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const values: CommandLine['values'] = {};
  let help = false;
  let problem: string | null = null;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(OPTIONS, token.name) ? OPTIONS[token.name as Option] : undefined;
    if (!spec) problem ??= `unknown option ${cut(token.rawName)}; ${HINT}`;
    else if (token.name === 'help') help = true;
    else if (spec.type === 'string' && token.value === undefined)
      problem ??= `${token.rawName} needs a value; ${HINT}`;
    else if (spec.type === 'boolean' && token.inlineValue)
      problem ??= `${token.rawName} takes no value; ${HINT}`;
    else values[token.name as Option] = token.value ?? true;
  }
  // --help wins over any other mistake: it is what someone unsure types.
  if (problem && !help) throw new BadRequestError(problem);
  return { positionals, values, help };
}

export async function main(argv: string[], env: Env, io: Io): Promise<number> {
  try {
    const line = parseCommandLine(argv);
    const [name, ...args] = line.positionals;
    if (line.help) {
      io.out(USAGE);
      return 0;
    }
    if (!name) {
      io.err(USAGE);
      return 2;
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) {
      throw new BadRequestError(
        `unknown command "${cut(name)}"; expected one of ${Object.keys(COMMANDS).join(', ')}`,
      );
    }
    const stray = (Object.keys(line.values) as Option[]).find((f) => !command.flags.includes(f));
    if (stray) throw new BadRequestError(`${name} does not take --${stray}; ${HINT}`);
    if (!(command.arity ?? [command.argument ? 1 : 0]).includes(args.length)) {
      throw new BadRequestError(
        command.argument
          ? `${name} takes ${command.argument}`
          : `${name} takes no arguments, got "${cut(args[0] ?? '')}"`,
      );
    }
    const { parseFlags } = await import('./flags.ts');
    const flags = parseFlags(name, line.values);
    return await (await command.load()).run(name, args, flags, env, io);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof BadRequestError) {
      io.err(`dli-sync: ${terminalText(err.message)}`);
      return 2;
    }
    io.err(`dli-sync: ${terminalText(friendly(err, env))}`);
    return 1;
  }
}

/** AWS SDK errors (told apart by name: the SDK's way) as one actionable line. */
function friendly(err: unknown, env: Env): string {
  const name = err instanceof Error ? err.name : '';
  if (name === 'ResourceNotFoundException')
    return `table ${env.TABLE_NAME} not found; run "dli-sync setup" first`;
  if (name === 'CredentialsProviderError')
    return 'no AWS credentials found; set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile';
  if (err instanceof Error && /ECONNREFUSED/.test(err.message))
    return `cannot reach DynamoDB (${err.message.replace(/^.*ECONNREFUSED/, 'ECONNREFUSED')})`;
  return describeError(err);
}
