/**
 * fast-check generators of what a hostile or broken DLI API may answer: good records whose strings
 * carry control characters, lone surrogates (invalid UTF-8 on the wire), mention and markup tokens;
 * and mutations of them with fields missing, null, wrong-typed, huge or malformed, plus junk
 * records and duplicate ids.
 */
import fc from 'fast-check';

export type Raw = Record<string, unknown>;

/** Text that reaches chat and logs: mentions, markup, links, template syntax. */
export const HOSTILE_TOKENS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U024BE7LH>',
  '@everyone',
  '@here',
  '@all',
  '@所有人',
  '<at id=all></at>',
  '<users/all>',
  '[click](https://evil.example/x)',
  '<a href="https://evil.example">x</a>',
  '<font color=red>x</font>',
  '**bold** _it_ ~~s~~ `code`',
  '# heading',
  '> quote',
  '{{DATE(2026-01-01T00:00:00Z)}}',
  '<https://evil.example|click>',
  '\u202eevil\u202c',
  // Auto-linked by Slack, Discord and most others; Slack's own italics and Discord's spoilers.
  'https://evil.example/auto',
  'www.evil.example',
  '*b* _i_ ~s~ ||spoiler||',
] as const;

const char = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  // A lone surrogate: what invalid UTF-8 (or a cut emoji) becomes in a JSON string.
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '\u007f',
      '\u0085',
      '\u2028',
      '\u2029',
      '\u202e',
      '\ufeff',
      '\uffff',
      '\u200b',
    ),
  },
);

/** Short strings full of trouble; sometimes a hostile token, sometimes empty or blank. */
export const nastyString = (maxLength = 24): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: char, maxLength }) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_TOKENS) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...HOSTILE_TOKENS), fc.string({ unit: char, maxLength: 8 }))
        .map(([a, b]) => `${b}${a}${b}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t\n', 'null', 'undefined', '0') },
  );

const nonEmpty = (maxLength = 24): fc.Arbitrary<string> => nastyString(maxLength).filter((s) => s.length > 0);

const epochMs = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
  fc.integer({ min: 0, max: 4_102_444_800_000 }).map(String),
  fc.constant(null),
);

export const STATUSES = [
  'ACTIVE',
  'Active',
  'active',
  'FAILED',
  'Failed',
  ' failed ',
  'CREATING',
  'DELETING',
];
const status = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...STATUSES) },
  { weight: 1, arbitrary: nastyString(12) },
  { weight: 1, arbitrary: fc.constant(null) },
);

const peering = fc.record(
  {
    peer_id: fc.option(fc.uuid(), { nil: null }),
    status,
    name: nonEmpty(16),
    err_msg: fc.option(nastyString(60), { nil: null }),
    update_time: epochMs,
  },
  { requiredKeys: ['name'] },
);

/** Queue names of one connection are unique once stored (as UTF-8): duplicates are a bad record. */
const peerings = (max: number) =>
  fc.uniqueArray(peering, { maxLength: max, selector: (p) => p.name.toWellFormed() });

/** A record the schema accepts, with a fresh id. */
export const goodRecord: fc.Arbitrary<Raw> = fc.record(
  {
    id: fc.uuid(),
    name: fc.option(nastyString(40), { nil: null }),
    status,
    available_queue_info: peerings(4),
    elastic_resource_pools: fc.option(peerings(2), { nil: null }),
    dest_vpc_id: fc.option(fc.uuid(), { nil: null }),
    dest_network_id: fc.option(fc.uuid(), { nil: null }),
    isPrivis: fc.option(fc.boolean(), { nil: null }),
    ipv6_enable: fc.option(fc.boolean(), { nil: null }),
    create_time: epochMs,
    hosts: fc.option(
      fc.array(
        fc.record({ name: fc.option(nastyString(), { nil: null }), ip: fc.option(fc.ipV4(), { nil: null }) }),
        {
          maxLength: 3,
        },
      ),
      { nil: null },
    ),
    routes: fc.option(
      fc.array(fc.record({ name: nastyString(), cidr: fc.constant('10.0.0.0/8'), create_time: epochMs }), {
        maxLength: 2,
      }),
      { nil: null },
    ),
    // Unknown fields pass through to the raw record kept for audit.
    tags: fc.option(fc.array(fc.record({ key: nastyString(8), value: nastyString(8) }), { maxLength: 2 })),
  },
  { requiredKeys: ['id', 'available_queue_info'] },
);

/** A value of the wrong kind for any field: missing, null, number, boolean, string, object, array. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  nastyString(),
  fc.constantFrom('NaN', '-1', '1e400', '2026-01-01', ''),
  fc.dictionary(nastyString(6), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.constant([{ name: '' }]),
  fc.constant([{ status: 'FAILED' }]),
  fc.constant(-5),
);

const FIELDS = [
  'id',
  'name',
  'status',
  'available_queue_info',
  'elastic_resource_pools',
  'dest_vpc_id',
  'isPrivis',
  'create_time',
  'hosts',
  'routes',
] as const;

/** Replaces one field (or one field of one peering) with a wrong value; undefined deletes it. */
export const mutation = fc.record({
  field: fc.constantFrom(...FIELDS, 'peering.name', 'peering.status', 'peering.update_time', 'peering.whole'),
  value: wrongValue,
});
export type Mutation = { field: string; value: unknown };

export function mutate(record: Raw, m: Mutation): Raw {
  const copy = structuredClone(record);
  const set = (obj: Raw, key: string, value: unknown): void => {
    if (value === undefined) delete obj[key];
    else obj[key] = value;
  };
  if (m.field.startsWith('peering.')) {
    const list = copy.available_queue_info;
    if (!Array.isArray(list) || list.length === 0) {
      set(copy, 'available_queue_info', [m.value]);
      return copy;
    }
    if (m.field === 'peering.whole') list[0] = m.value ?? null;
    else set(list[0] as Raw, m.field.slice('peering.'.length), m.value);
    return copy;
  }
  set(copy, m.field, m.value);
  return copy;
}

/** Records that are not connection objects at all. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  nastyString(),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 2 }),
  fc.dictionary(nastyString(6), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  fc.constant({ id: '' }),
  fc.constant({ id: 42, name: 'numeric id' }),
  // An own "__proto__" key, as JSON.parse makes it: must not pollute what the schema reads.
  fc.constant(JSON.parse('{"__proto__":{"id":"polluted","status":"FAILED"},"name":"proto"}') as unknown),
);

export interface HostileSweep {
  /** Good records synced first. */
  baseline: Raw[];
  /** What the hostile run sees, in order. */
  records: unknown[];
  /** Indices in `records` of untouched good records whose id appears once. */
  knownGood: number[];
}

/**
 * A baseline of good records, then a sweep where each baseline record is kept, mutated or dropped
 * (a real deletion), with new good records, junk and duplicate ids mixed in.
 */
export const hostileSweep = (opts: {
  baseline: number;
  extra: number;
  /** Two records with one id (off for the emulator, whose sweep keeps the first copy). */
  duplicates?: boolean;
}): fc.Arbitrary<HostileSweep> =>
  fc
    .record({
      baseline: fc.uniqueArray(goodRecord, { minLength: 1, maxLength: opts.baseline, selector: (r) => r.id }),
      fates: fc.array(
        fc.oneof(
          { weight: 4, arbitrary: fc.constant<'keep'>('keep') },
          { weight: 3, arbitrary: mutation },
          { weight: 1, arbitrary: fc.constant<'drop'>('drop') },
          ...(opts.duplicates === false
            ? []
            : [{ weight: 1, arbitrary: fc.constant<'duplicate'>('duplicate') }]),
        ),
        { minLength: opts.baseline, maxLength: opts.baseline },
      ),
      added: fc.array(goodRecord, { maxLength: opts.extra }),
      junk: fc.array(junk, { maxLength: 2 }),
      tweak: fc.array(goodRecord, { minLength: opts.baseline, maxLength: opts.baseline }),
      order: fc.array(fc.nat(), { maxLength: 32 }),
    })
    .map(({ baseline, fates, added, junk: junkRecords, tweak, order }) => {
      const records: unknown[] = [];
      const kinds: ('good' | 'other')[] = [];
      baseline.forEach((b, i) => {
        const fate = fates[i] ?? 'keep';
        if (fate === 'drop') return;
        if (fate === 'keep') {
          // Kept, with the content of another good record: a real change (peerings may fail).
          records.push({ ...(tweak[i] as Raw), id: b.id });
          kinds.push('good');
        } else if (fate === 'duplicate') {
          records.push(b, { ...(tweak[i] as Raw), id: b.id });
          kinds.push('other', 'other');
        } else {
          records.push(mutate(b, fate));
          kinds.push('other');
        }
      });
      for (const a of added) {
        records.push(a);
        kinds.push('good');
      }
      for (const j of junkRecords) {
        records.push(j);
        kinds.push('other');
      }
      // A deterministic shuffle from the generated numbers.
      const idx = records.map((_, i) => i);
      order.forEach((n, i) => {
        const a = i % idx.length;
        const b = n % idx.length;
        [idx[a], idx[b]] = [idx[b] as number, idx[a] as number];
      });
      const shuffled = idx.map((i) => records[i]);
      const kindOf = idx.map((i) => kinds[i]);
      const idCount = new Map<string, number>();
      for (const r of shuffled) {
        const id = r !== null && typeof r === 'object' ? (r as Raw).id : undefined;
        if (typeof id === 'string') idCount.set(id.toWellFormed(), (idCount.get(id.toWellFormed()) ?? 0) + 1);
      }
      const knownGood = shuffled.flatMap((r, i) =>
        kindOf[i] === 'good' && idCount.get(String((r as Raw).id)) === 1 ? [i] : [],
      );
      return { baseline, records: shuffled, knownGood };
    });
