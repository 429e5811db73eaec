/**
 * Named credentials: HUAWEICLOUD_CREDENTIALS (env) or the SecureString HUAWEICLOUD_CREDENTIALS_PARAMETER
 * names holds either the default pair `{"ak":"…","sk":"…"}` (as before) or named pairs
 * `{"acct-a":{"ak":"…","sk":"…"},"acct-b":{…}}`, which DLI_TARGETS entries pick with `acct-a@…`.
 * A `default` key in the named form is the default credential. Errors name the variable and the
 * shape expected, never a value (the JSON parser's message quotes input, so it is never passed on).
 */
import type { Credentials } from './dli/types.ts';
import { ConfigError } from './errors.ts';
import { ACCOUNT_NAME } from './model/target-spec.ts';

export interface KeyPair {
  ak: string;
  sk: string;
}

export interface NamedCredentials {
  /** The pair used by entries without `<account>@`; null when only named pairs are given. */
  default: KeyPair | null;
  named: Record<string, KeyPair>;
}

const SHAPE = '{"ak":"<access key>","sk":"<secret key>"} or {"<account>":{"ak":"…","sk":"…"},…}';

function pairOf(v: unknown): KeyPair | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  // Only these keys: a typo must not silently leave the pair half empty.
  if (!Object.keys(o).every((k) => k === 'ak' || k === 'sk')) return null;
  return typeof o.ak === 'string' && typeof o.sk === 'string' && o.ak && o.sk ? { ak: o.ak, sk: o.sk } : null;
}

/** `where` names the source in errors, e.g. `HUAWEICLOUD_CREDENTIALS`. */
export function parseNamedCredentials(json: string, where: string): NamedCredentials {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError(`${where} is not JSON; expected ${SHAPE}`);
  }
  const single = pairOf(value);
  if (single) return { default: single, named: {} };
  const bad = new ConfigError(`${where} must be exactly ${SHAPE}, every key and value non-empty`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad;
  const named: Record<string, KeyPair> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw bad;
  for (const [name, v] of entries) {
    const pair = pairOf(v);
    if (!pair) throw bad;
    if (!ACCOUNT_NAME.test(name)) {
      throw new ConfigError(`${where} has an account name that is not 1-64 of A-Z a-z 0-9 _ -`);
    }
    named[name] = pair;
  }
  const { default: def = null, ...rest } = named;
  return { default: def, named: rest };
}

/** The named AK/SK credentials of HUAWEICLOUD_CREDENTIALS; {} when unset. */
export function namedCredentials(value: string | undefined): {
  default: Credentials | null;
  named: Record<string, Credentials>;
} {
  if (!value?.trim()) return { default: null, named: {} };
  const parsed = parseNamedCredentials(value, 'HUAWEICLOUD_CREDENTIALS');
  const aksk = (p: KeyPair): Credentials => ({ kind: 'aksk', ak: p.ak, sk: p.sk });
  return {
    default: parsed.default ? aksk(parsed.default) : null,
    named: Object.fromEntries(Object.entries(parsed.named).map(([k, p]) => [k, aksk(p)])),
  };
}
