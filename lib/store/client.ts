/**
 * The DynamoDB document client, plus a meter of consumed capacity: every call asks for
 * ReturnConsumedCapacity TOTAL so a run can report the write and read units it spent.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface CapacityMeter {
  readUnits: number;
  writeUnits: number;
  /** Item writes issued (each Put/Update/Delete, inside transactions too). */
  itemWrites: number;
  /** Write units by DynamoDB's documented rules (lib/store/size.ts), for what DynamoDB Local misreports. */
  estimatedWriteUnits: number;
}

export interface Store {
  doc: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  tableName: string;
  retentionDays: number;
  meter: CapacityMeter;
  /** Called before every write request; the reliability suite uses it to stop a run at its k-th write. */
  beforeWrite?: (items: number) => void;
}

export function createStore(opts: {
  tableName: string;
  retentionDays: number;
  clientConfig?: DynamoDBClientConfig;
}): Store {
  // Throttling and transient faults are retried by the SDK with backoff; 8 attempts rides out bursts.
  const raw = new DynamoDBClient({ maxAttempts: 8, ...opts.clientConfig });
  const doc = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return {
    doc,
    raw,
    tableName: opts.tableName,
    retentionDays: opts.retentionDays,
    meter: { readUnits: 0, writeUnits: 0, itemWrites: 0, estimatedWriteUnits: 0 },
  };
}

type Consumed = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };

/** Adds what one response says it consumed. Reads and writes are told apart by the caller. */
export function record(
  meter: CapacityMeter,
  kind: 'read' | 'write',
  consumed: Consumed | Consumed[] | undefined,
): void {
  for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
    if (kind === 'read') meter.readUnits += c.ReadCapacityUnits ?? c.CapacityUnits ?? 0;
    else meter.writeUnits += c.WriteCapacityUnits ?? c.CapacityUnits ?? 0;
  }
}

/**
 * The one metered single-item write (Put, Update, Delete): the reliability suite's hook before it,
 * the item and the units DynamoDB reports after it. `estimatedUnits` is the documented cost
 * (lib/store/size.ts) where the caller knows the item, 0 where it does not (an update).
 */
export async function writeOne<O extends { ConsumedCapacity?: Consumed | undefined }>(
  store: Store,
  send: () => Promise<O>,
  estimatedUnits = 0,
): Promise<O> {
  store.beforeWrite?.(1);
  const out = await send();
  store.meter.itemWrites += 1;
  store.meter.estimatedWriteUnits += estimatedUnits;
  record(store.meter, 'write', out.ConsumedCapacity);
  return out;
}
