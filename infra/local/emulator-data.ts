/**
 * Realistic raw "enhanced datasource connection" records, as the DLI list API returns them, for the
 * emulator, tests and the bench. Deterministic for a seed, so a failing test can be replayed.
 */

export interface MakeConnectionsOptions {
  /** Queue entries in available_queue_info per connection (default 3). */
  peeringsPerConnection?: number;
  /** Same seed, same records (default 1). */
  seed?: number;
  /** create_time of the first connection, epoch ms (default 2024-01-01T00:00:00Z); later ones strictly increase. */
  startTime?: number;
  /*
   * Opt-in shapes the official sources allow (dli-api-facts.md). Off by default, so existing tests keep
   * their data: the base records come from the same random sequence; extras draw from a second one.
   */
  /** Names as the create API allows: letters, digits and underscores, at most 64 (every 7th exactly 64). */
  apiNames?: boolean;
  /** Share (0..1) of non-failed peerings still CREATING. */
  creatingShare?: number;
  /** Share (0..1) of connections the API lists with status DELETED. */
  deletedShare?: number;
  /** `elastic_resource_pools` entries per connection (same shape as queue entries). */
  elasticResourcePools?: number;
  /** `routes` per connection ({name, cidr, create_time}: read by the Terraform provider). */
  routes?: number;
  /** Adds `ipv6_enable` (newer SDK models). */
  ipv6?: boolean;
  /** Exactly this many hosts per connection (the create API allows up to 20,000). */
  hosts?: number;
  /** Host name length with `hosts` (up to 128, the create API's maximum); default 24. */
  hostNameLength?: number;
  /** Share (0..1) of queue and pool entries without `name` (every official model makes it optional). */
  namelessShare?: number;
  /** `tags` ({key, value}) for the emulator's `tags=k=v,k2=v2` filter: `team` and `env` on every record. */
  tags?: boolean;
}

export const MAX_HOSTS = 20_000;
export const MAX_HOST_NAME = 128;
export const MAX_NAME = 64;

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4-shaped UUID from the generator. */
export function uuid(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(rand() * 4)]!;
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const SYSTEMS = [
  'orders',
  'billing',
  'crm',
  'metrics',
  'ftp',
  'kafka',
  'rds',
  'mrs',
  'css',
  'dws',
  'redis',
  'hive',
];
const ENVS = ['prod', 'staging', 'dev', 'qa'];
// Never `default`: DLI refuses an enhanced connection for the default queue (create API).
const QUEUES = [
  'reporting',
  'sql_queue',
  'spark_etl',
  'flink_rt',
  'resource_mode_1',
  'batch_nightly',
  'adhoc',
];
const FAILURES = [
  'Failed to create the peering: the destination CIDR overlaps the queue CIDR',
  'Failed to bind the route table: quota exceeded',
  'Failed to connect to the destination VPC: subnet not found',
];

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

/** `n` host records with names of exactly `length` characters and distinct IPv4 addresses. */
function makeHosts(n: number, length: number, seedText: string): { name: string; ip: string }[] {
  return Array.from({ length: n }, (_, j) => {
    const stem = `h${j}.${seedText}.`;
    const name = (stem + 'x'.repeat(Math.max(0, length - stem.length - 9)) + '.internal').slice(-length);
    return { name, ip: `10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}` };
  });
}

function checkOptions(o: MakeConnectionsOptions): void {
  if ((o.hosts ?? 0) > MAX_HOSTS)
    throw new RangeError(`hosts ${o.hosts}: the API allows at most ${MAX_HOSTS}`);
  const len = o.hostNameLength ?? 24;
  if (len < 10 || len > MAX_HOST_NAME)
    throw new RangeError(`hostNameLength ${len}: expected 10 to ${MAX_HOST_NAME}`);
}

/** A resource entry (queue or pool) as the API lists it, maybe without a name. */
function resource(
  rand: () => number,
  extra: () => number,
  o: MakeConnectionsOptions,
  name: string,
  createTime: number,
): Record<string, unknown> {
  const failed = rand() < 0.05;
  const creating = !failed && o.creatingShare !== undefined && extra() < o.creatingShare;
  const entry: Record<string, unknown> = {
    peer_id: uuid(rand),
    status: failed ? 'FAILED' : creating ? 'CREATING' : 'ACTIVE',
    name,
    err_msg: failed ? pick(rand, FAILURES) : '',
    update_time: createTime + Math.floor(rand() * 600_000),
  };
  if (o.namelessShare !== undefined && extra() < o.namelessShare) delete entry.name;
  return entry;
}

export function makeConnections(n: number, options: MakeConnectionsOptions = {}): Record<string, unknown>[] {
  checkOptions(options);
  const rand = prng(options.seed ?? 1);
  const extra = prng(((options.seed ?? 1) ^ 0x5bd1e995) >>> 0);
  const o = options;
  const peerings = options.peeringsPerConnection ?? 3;
  let time = options.startTime ?? Date.UTC(2024, 0, 1);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    // Strictly increasing, so the API's creation-time order is the generation order.
    time += 1 + Math.floor(rand() * 3_600_000);
    const createTime = time;
    const queueNames = [...QUEUES].sort(() => rand() - 0.5).slice(0, Math.min(peerings, QUEUES.length));
    while (queueNames.length < peerings) queueNames.push(`queue_${queueNames.length}`);
    const available_queue_info = queueNames.map((name) => resource(rand, extra, o, name, createTime));
    const hostCount = Math.floor(rand() * 3);
    let hosts = Array.from({ length: hostCount }, (_, h) => ({
      name: `node-${h + 1}.${pick(rand, SYSTEMS)}.internal`,
      ip: `192.168.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`,
    }));
    if (o.hosts !== undefined) hosts = makeHosts(o.hosts, o.hostNameLength ?? 24, i.toString(36));
    const system = pick(rand, SYSTEMS);
    const env = pick(rand, ENVS);
    const record: Record<string, unknown> = {
      name: `${system}-${env}-${i.toString(36).padStart(4, '0')}`,
      id: uuid(rand),
      available_queue_info,
      dest_vpc_id: uuid(rand),
      dest_network_id: uuid(rand),
      isPrivis: rand() < 0.8,
      create_time: createTime,
      status: 'ACTIVE',
      hosts,
    };
    if (o.apiNames) {
      const name = `${system}_${env}_${i.toString(36).padStart(4, '0')}`;
      record.name = i % 7 === 6 ? `${name}_`.padEnd(MAX_NAME, 'x') : name;
    }
    if (o.deletedShare !== undefined && extra() < o.deletedShare) record.status = 'DELETED';
    if (o.elasticResourcePools !== undefined) {
      record.elastic_resource_pools = Array.from({ length: o.elasticResourcePools }, (_, k) =>
        resource(extra, extra, o, `pool_${k}`, createTime),
      );
    }
    if (o.routes !== undefined) {
      record.routes = Array.from({ length: o.routes }, (_, k) => ({
        name: `route_${k}`,
        cidr: `172.${16 + (k >> 8)}.${k & 255}.0/24`,
        create_time: createTime + k,
      }));
    }
    if (o.ipv6) record.ipv6_enable = extra() < 0.3;
    if (o.tags) {
      record.tags = [
        { key: 'team', value: system },
        { key: 'env', value: env },
      ];
    }
    out.push(record);
  }
  return out;
}
