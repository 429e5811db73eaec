/**
 * Which queue (or pool) entry is which, across versions. Pure.
 *
 * Every official SDK model marks every field of a queue/pool entry optional, its `name` included, so
 * an entry is identified by the best thing it has: its queue name, else `peer:<peer_id>`, else
 * `#<position>`. The key is what the sort, the event diff and event ids use.
 *
 * Determinism (the same API answer must always hash the same, and the API reordering entries whose
 * identity is known must not be a change): entries are put in a canonical order that depends only on
 * their content, never on the API's order: named ones first by name, then peer-only ones by peer id,
 * then anonymous ones; ties broken by peer id, then by the whole entry's canonical JSON. Entries
 * equal under that JSON are indistinguishable, so their relative order cannot matter. "Position" is
 * then the rank among the anonymous entries in that order (not the API's array index, which would
 * make a reshuffle a change).
 *
 * Two entries with the same key (a queue listed twice, say) do not quarantine the connection: the
 * first in canonical order keeps the key, the next ones get `<key>#2`, `<key>#3`, … so every entry
 * is stored, diffed and alerted on. The cost of that anomaly: when the set of duplicates changes, an
 * entry may be matched with its twin's previous state (at worst one repeated or missed transition
 * for that ambiguous queue, never for the others).
 */
import { stableStringify } from './stable-json.ts';

export interface PeeringIdentity {
  queue: string | null;
  peerId: string | null;
}

const rank = (p: PeeringIdentity): number => (p.queue !== null ? 0 : p.peerId !== null ? 1 : 2);

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Canonical order (see above). `json` is the entry's canonical JSON, computed once per entry. */
function compare(a: PeeringIdentity, ja: string, b: PeeringIdentity, jb: string): number {
  return (
    rank(a) - rank(b) ||
    cmp(a.queue ?? '', b.queue ?? '') ||
    cmp(a.peerId ?? '', b.peerId ?? '') ||
    cmp(ja, jb)
  );
}

/**
 * The entries in canonical order: the result does not depend on the input's order. Only the API's
 * content decides it: `creatingSince` and `stuckAt` (derived by the diff) are left out, so a stored list and the
 * same entries freshly normalized get the same order and the same keys.
 */
export function canonicalOrder<T extends PeeringIdentity>(list: readonly T[]): T[] {
  return list
    .map((p) => ({ p, json: stableStringify({ ...p, creatingSince: undefined, stuckAt: undefined }) }))
    .sort((x, y) => compare(x.p, x.json, y.p, y.json))
    .map((x) => x.p);
}

/**
 * The key of each entry of a list in canonical order (as normalize stores it), same index.
 * The one peering key function: queue name, else `peer:<peerId>`, else `#<position>`; a repeated
 * key gets `#2`, `#3`, … (the first free one).
 */
export function peeringKeys(list: readonly PeeringIdentity[]): string[] {
  const used = new Set<string>();
  let anonymous = 0;
  return list.map((p) => {
    const base = p.queue ?? (p.peerId !== null ? `peer:${p.peerId}` : `#${++anonymous}`);
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}#${n}`;
    used.add(key);
    return key;
  });
}

/** Each entry with its key, in canonical order, whatever the order of `list`. */
export function keyedPeerings<T extends PeeringIdentity>(list: readonly T[]): [string, T][] {
  const ordered = canonicalOrder(list);
  const keys = peeringKeys(ordered);
  return ordered.map((p, i) => [keys[i] as string, p]);
}

/** Entries by key, for matching one version's entries with another's. */
export const byPeeringKey = <T extends PeeringIdentity>(list: readonly T[]): Map<string, T> =>
  new Map(keyedPeerings(list));

/**
 * How a person reads the entry: its name, or `(peer <peerId>)`, or `(unnamed <key>)`. Only for
 * display: two labels may coincide, keys never do.
 */
export function peeringLabel(p: PeeringIdentity, key?: string | null): string {
  if (p.queue !== null) return p.queue;
  if (p.peerId !== null) return `(peer ${p.peerId})`;
  return key ? `(unnamed ${key})` : '(unnamed)';
}
