/**
 * Finds configured secrets in whatever a run leaves behind: log lines, thrown errors, run records,
 * events, every item of the table. A secret counts as leaked in any common disguise (URL-encoded,
 * base64, JSON-escaped, hex) and by any 8-character piece of it, so a truncated echo is caught too.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../lib/store/client.ts';

export interface Finding {
  /** Where it was found: `logs[3]`, `table[EVENT#…].error`, `error.message`. */
  where: string;
  /** Which secret (by label, never the value) and which disguise. */
  secret: string;
  form: string;
}

/** The disguises a secret may take in text. */
export function disguises(secret: string): { form: string; text: string }[] {
  const forms = [
    { form: 'plain', text: secret },
    { form: 'url-encoded', text: encodeURIComponent(secret) },
    { form: 'base64', text: Buffer.from(secret).toString('base64').replace(/=+$/, '') },
    { form: 'base64url', text: Buffer.from(secret).toString('base64url') },
    { form: 'json-escaped', text: JSON.stringify(secret).slice(1, -1) },
    { form: 'hex', text: Buffer.from(secret).toString('hex') },
    { form: 'lower-case', text: secret.toLowerCase() },
  ];
  // Any 8-character window: a message cut at 200 characters may keep the start of a key.
  const WINDOW = 8;
  for (let i = 0; i + WINDOW <= secret.length; i++)
    forms.push({ form: `piece@${i}`, text: secret.slice(i, i + WINDOW) });
  const seen = new Set<string>();
  return forms.filter((f) => f.text.length >= 8 && !seen.has(f.text) && seen.add(f.text));
}

/** Every string inside `value` with its path: objects, arrays, Errors (message, stack, cause), Maps. */
export function strings(
  value: unknown,
  path = '$',
  out: { where: string; text: string }[] = [],
  depth = 0,
): { where: string; text: string }[] {
  if (depth > 64) return out;
  if (typeof value === 'string') {
    out.push({ where: path, text: value });
  } else if (value instanceof Error) {
    out.push({ where: `${path}.message`, text: value.message });
    if (value.stack) out.push({ where: `${path}.stack`, text: value.stack });
    for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out, depth + 1);
    if (value.cause !== undefined) strings(value.cause, `${path}.cause`, out, depth + 1);
  } else if (value instanceof Map) {
    for (const [k, v] of value) strings(v, `${path}[${String(k)}]`, out, depth + 1);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) strings(v, `${path}[${i}]`, out, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ where: `${path}<key>`, text: k });
      strings(v, `${path}.${k}`, out, depth + 1);
    }
  }
  return out;
}

/**
 * Scans `haystacks` (label → anything) for the `secrets` (label → value). Returns every finding;
 * an empty list means nothing leaked. Secrets shorter than 8 characters cannot be told from data.
 */
export function scanForSecrets(
  secrets: Readonly<Record<string, string>>,
  haystacks: Readonly<Record<string, unknown>>,
): Finding[] {
  const needles = Object.entries(secrets).flatMap(([label, value]) =>
    value.length < 8 ? [] : disguises(value).map((d) => ({ label, ...d })),
  );
  const findings: Finding[] = [];
  for (const [label, hay] of Object.entries(haystacks)) {
    for (const { where, text } of strings(hay, label)) {
      for (const n of needles) {
        if (text.includes(n.text)) findings.push({ where, secret: n.label, form: n.form });
      }
    }
  }
  return findings;
}

/** Every item of the table (a Scan: test-only, the product never scans). */
export async function dumpTable(store: Store): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.doc.send(
      new ScanCommand({ TableName: store.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Everything written through console.* until `restore()` (the product logs only through console). */
export function captureConsole(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((m) => console[m]);
  const keep = (...args: unknown[]): void => {
    lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
  for (const m of methods) console[m] = keep;
  return {
    lines,
    restore: () => {
      methods.forEach((m, i) => {
        console[m] = originals[i] as (typeof console)[typeof m];
      });
    },
  };
}
