/**
 * The Lambda event source mapping, locally: polls the table's DynamoDB Stream on DynamoDB Local and
 * hands batches to the notifier exactly as Lambda would, so the demo and the tests run the real
 * path (stream → handler → partial batch failures → retry).
 *
 * Same as the mapping in serverless.yml:
 * - filter: INSERTs of event items only (lib/notify/stream.ts matchesFilter = EVENT_SOURCE_FILTER);
 *   filtered-out records are dropped and the checkpoint moves past them;
 * - batch shape: `{ Records: [{ eventID, eventName, eventSource, awsRegion, eventSourceARN,
 *   dynamodb: { Keys, NewImage, OldImage, SequenceNumber, SizeBytes, StreamViewType,
 *   ApproximateCreationDateTime (epoch seconds) } }] }`, as plain JSON;
 * - ReportBatchItemFailures: the shard is retried from the lowest failed sequence number (records
 *   before it are done); after `maxRetryAttempts` the batch is dropped, as Lambda does after
 *   MaximumRetryAttempts (where an on-failure destination would get its metadata);
 * - one batch in flight per shard, parent shards before their children.
 * The checkpoint lives in memory: a new poller starts again from TRIM_HORIZON (or LATEST), which is
 * what a restarted consumer after a crash sees, and what the idempotency tests need.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  type AttributeValue,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type ShardIteratorType,
  type _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { matchesFilter, type StreamBatchResponse, StreamRecordSchema } from '../../lib/notify/stream.ts';
import type { Store } from '../../lib/store/client.ts';

export interface StreamPollerOptions {
  store: Store;
  handler: (event: unknown) => Promise<StreamBatchResponse>;
  /** Pause between polls; default 250 ms. */
  intervalMs?: number;
  /** Records per GetRecords and per batch; Lambda's default is 100. */
  batchSize?: number;
  /** Retries of a failing batch before it is dropped; default 10. */
  maxRetryAttempts?: number;
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  log?: (entry: Record<string, unknown>) => void;
}

export interface StreamPoller {
  stop(): Promise<void>;
  /**
   * Resolves once everything in the stream so far has been handed over and nothing awaits a retry.
   * With `until`, only after a record whose keys match has been read: an idle stream can also mean
   * that the last writes have not reached it yet (DynamoDB Local publishes them with a delay).
   */
  drain(timeoutMs?: number, until?: (keys: Record<string, AttributeValue>) => boolean): Promise<void>;
}

interface ShardState {
  id: string;
  parent: string | undefined;
  iterator: string | undefined;
  /** Sequence number of the last record handled. */
  checkpoint: string | undefined;
  /** A batch to hand over again, from this sequence number. */
  retry: { seq: string; attempts: number } | undefined;
  closed: boolean;
}

/** Lambda hands over JSON: dates become epoch seconds, binary values Base64. */
function toLambdaRecord(r: StreamsRecord, streamArn: string, region: string): unknown {
  const record = {
    eventID: r.eventID,
    eventName: r.eventName,
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion ?? region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...r.dynamodb,
      ApproximateCreationDateTime: r.dynamodb?.ApproximateCreationDateTime
        ? Math.floor(r.dynamodb.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
    },
  };
  return JSON.parse(
    JSON.stringify(record, (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
    ),
  );
}

const bySeq = (a: string, b: string): number => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

export function startStreamPoller(opts: StreamPollerOptions): StreamPoller {
  const intervalMs = opts.intervalMs ?? 250;
  const batchSize = opts.batchSize ?? 100;
  const maxRetryAttempts = opts.maxRetryAttempts ?? 10;
  const log = opts.log ?? ((e) => console.log(JSON.stringify(e)));
  const { region, credentials, endpoint } = opts.store.raw.config;
  const client = new DynamoDBStreamsClient({ region, credentials, ...(endpoint ? { endpoint } : {}) });
  const shards = new Map<string, ShardState>();
  let streamArn: string | undefined;
  let regionName = 'local';

  async function discover(): Promise<void> {
    if (!streamArn) {
      const table = await opts.store.raw.send(new DescribeTableCommand({ TableName: opts.store.tableName }));
      // A disabled stream keeps its ARN but gets no new records: polling it would just look idle.
      const enabled = table.Table?.StreamSpecification?.StreamEnabled === true;
      streamArn = enabled ? table.Table?.LatestStreamArn : undefined;
      if (!streamArn) throw new Error(`table ${opts.store.tableName} has no enabled stream`);
      regionName = await region();
    }
    let start: string | undefined;
    do {
      const out = await client.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      for (const s of out.StreamDescription?.Shards ?? []) {
        if (s.ShardId && !shards.has(s.ShardId)) {
          shards.set(s.ShardId, {
            id: s.ShardId,
            parent: s.ParentShardId,
            iterator: undefined,
            checkpoint: undefined,
            retry: undefined,
            closed: false,
          });
        }
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  async function iteratorFor(shard: ShardState): Promise<string | undefined> {
    const [type, seq]: [ShardIteratorType, string | undefined] = shard.retry
      ? ['AT_SEQUENCE_NUMBER', shard.retry.seq]
      : shard.checkpoint
        ? ['AFTER_SEQUENCE_NUMBER', shard.checkpoint]
        : [opts.startingPosition ?? 'TRIM_HORIZON', undefined];
    const out = await client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.id,
        ShardIteratorType: type,
        SequenceNumber: seq,
      }),
    );
    return out.ShardIterator;
  }

  /** Hands one batch over; the lowest failed sequence number, or null when all succeeded. */
  async function handOver(records: unknown[]): Promise<string | null> {
    const batch = records.filter((r) => matchesFilter(StreamRecordSchema.parse(r)));
    if (batch.length === 0) return null;
    const seqs = batch.map((r) => StreamRecordSchema.parse(r).dynamodb.SequenceNumber);
    let failed: string[];
    try {
      failed = (await opts.handler({ Records: batch })).batchItemFailures.map((f) => f.itemIdentifier);
    } catch (err) {
      // A thrown handler fails the whole batch, as in Lambda.
      log({
        level: 'ERROR',
        message: 'stream handler threw',
        error: err instanceof Error ? err.message.split('\n')[0] : String(err),
      });
      failed = seqs;
    }
    return failed.length > 0 ? ([...failed].sort(bySeq)[0] ?? null) : null;
  }

  /** One pass over the open shards; true when nothing was read and nothing awaits a retry. */
  async function tick(): Promise<boolean> {
    await discover();
    let idle = true;
    for (const shard of shards.values()) {
      if (shard.closed) continue;
      const parent = shard.parent ? shards.get(shard.parent) : undefined;
      if (parent && !parent.closed) continue;
      shard.iterator ??= await iteratorFor(shard);
      if (!shard.iterator) {
        shard.closed = true;
        continue;
      }
      let out: GetRecordsCommandOutput;
      try {
        out = await client.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: batchSize }));
      } catch (err) {
        if (!(err instanceof ExpiredIteratorException)) throw err;
        shard.iterator = undefined;
        idle = false;
        continue;
      }
      const records = out.Records ?? [];
      for (const r of records) remember(r.dynamodb?.Keys ?? {});
      if (records.length === 0) {
        shard.iterator = out.NextShardIterator;
        if (!shard.iterator) shard.closed = true;
        if (shard.retry) idle = false;
        continue;
      }
      idle = false;
      const lowest = await handOver(records.map((r) => toLambdaRecord(r, streamArn ?? '', regionName)));
      if (lowest === null) {
        shard.checkpoint = records[records.length - 1]?.dynamodb?.SequenceNumber ?? shard.checkpoint;
        shard.retry = undefined;
        shard.iterator = out.NextShardIterator;
        if (!shard.iterator) shard.closed = true;
        continue;
      }
      const attempts = shard.retry?.seq === lowest ? shard.retry.attempts + 1 : 1;
      if (attempts > maxRetryAttempts) {
        log({
          level: 'ERROR',
          message: 'batch dropped after retries (the on-failure destination would get it)',
          shard: shard.id,
          sequenceNumber: lowest,
        });
        shard.checkpoint = records[records.length - 1]?.dynamodb?.SequenceNumber ?? shard.checkpoint;
        shard.retry = undefined;
        shard.iterator = out.NextShardIterator;
      } else {
        shard.retry = { seq: lowest, attempts };
        shard.iterator = undefined;
      }
    }
    return idle;
  }

  let stopped = false;
  let wake: (() => void) | undefined;
  interface Waiter {
    idleTicks: number;
    /** Null: no record to wait for. */
    until: ((keys: Record<string, AttributeValue>) => boolean) | null;
    seen: boolean;
    resolve: () => void;
    reject: (e: Error) => void;
  }
  const waiters = new Set<Waiter>();
  // Keys read lately: a drain may start after the poller already read the record it waits for.
  const recent: Record<string, AttributeValue>[] = [];
  const RECENT = 10_000;
  function remember(k: Record<string, AttributeValue>): void {
    recent.push(k);
    // Trimmed in halves, not one key per record: keeps at least the last RECENT keys at O(1) a record.
    if (recent.length > 2 * RECENT) recent.splice(0, RECENT);
    for (const w of waiters) if (w.until?.(k)) w.seen = true;
  }

  const loop = (async () => {
    while (!stopped) {
      let idle = false;
      try {
        idle = await tick();
      } catch (err) {
        log({
          level: 'ERROR',
          message: 'stream poll failed',
          error: err instanceof Error ? err.message.split('\n')[0] : String(err),
        });
      }
      for (const w of waiters) {
        // Two idle passes in a row: the first may have started before the last write landed.
        w.idleTicks = idle && w.seen ? w.idleTicks + 1 : 0;
        if (w.idleTicks >= 2) {
          waiters.delete(w);
          w.resolve();
        }
      }
      if (stopped) break;
      await new Promise<void>((r) => {
        const timer = setTimeout(r, intervalMs);
        wake = () => {
          clearTimeout(timer);
          r();
        };
      });
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      for (const w of waiters) w.reject(new Error('stream poller stopped before draining'));
      waiters.clear();
      client.destroy();
    },
    drain(timeoutMs = 30_000, until) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`stream not drained within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter: Waiter = {
          idleTicks: 0,
          until: until ?? null,
          seen: !until || recent.some(until),
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        waiters.add(waiter);
      });
    },
  };
}
