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
}

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
const QUEUES = ['default', 'sql_queue', 'spark_etl', 'flink_rt', 'resource_mode_1', 'batch_nightly', 'adhoc'];
const FAILURES = [
  'Failed to create the peering: the destination CIDR overlaps the queue CIDR',
  'Failed to bind the route table: quota exceeded',
  'Failed to connect to the destination VPC: subnet not found',
];

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

export function makeConnections(n: number, options: MakeConnectionsOptions = {}): Record<string, unknown>[] {
  const rand = prng(options.seed ?? 1);
  const peerings = options.peeringsPerConnection ?? 3;
  let time = options.startTime ?? Date.UTC(2024, 0, 1);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    // Strictly increasing, so the API's creation-time order is the generation order.
    time += 1 + Math.floor(rand() * 3_600_000);
    const createTime = time;
    const queueNames = [...QUEUES].sort(() => rand() - 0.5).slice(0, Math.min(peerings, QUEUES.length));
    while (queueNames.length < peerings) queueNames.push(`queue_${queueNames.length}`);
    const available_queue_info = queueNames.map((name) => {
      const failed = rand() < 0.05;
      return {
        peer_id: uuid(rand),
        status: failed ? 'FAILED' : 'ACTIVE',
        name,
        err_msg: failed ? pick(rand, FAILURES) : '',
        update_time: createTime + Math.floor(rand() * 600_000),
      };
    });
    const hostCount = Math.floor(rand() * 3);
    const hosts = Array.from({ length: hostCount }, (_, h) => ({
      name: `node-${h + 1}.${pick(rand, SYSTEMS)}.internal`,
      ip: `192.168.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`,
    }));
    out.push({
      name: `${pick(rand, SYSTEMS)}-${pick(rand, ENVS)}-${i.toString(36).padStart(4, '0')}`,
      id: uuid(rand),
      available_queue_info,
      dest_vpc_id: uuid(rand),
      dest_network_id: uuid(rand),
      isPrivis: rand() < 0.8,
      create_time: createTime,
      status: 'ACTIVE',
      hosts,
    });
  }
  return out;
}
