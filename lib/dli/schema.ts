/**
 * zod schemas of the "list enhanced datasource connections" answer. Lenient where the API is vague
 * (any field may be missing or null, numbers may come as strings), strict where we depend on it.
 * Unknown fields pass through (`looseObject`) so the raw record kept for audit is complete.
 */
import { z } from 'zod';
import { MAX_ID_LENGTH } from '../validate.ts';

/** epoch milliseconds, as a number or a numeric string; null/missing allowed. */
const epochMs = z
  .union([z.number(), z.string().regex(/^-?\d+$/)])
  .transform((v) => Number(v))
  .refine((v) => Number.isSafeInteger(v) && v >= 0 && v <= 8_640_000_000_000_000, 'not a valid epoch-ms time')
  .nullish();

const optString = z.string().nullish();
const optBool = z.boolean().nullish();

/**
 * A queue or pool entry. Every official SDK model marks every field optional, `name` included: an
 * entry without one is kept and known by its peer_id (lib/model/peering-key.ts).
 */
export const ResourceRecordSchema = z.looseObject({
  peer_id: optString,
  status: optString,
  name: optString,
  err_msg: optString,
  update_time: epochMs,
});

export const HostRecordSchema = z.looseObject({ name: optString, ip: optString });
export const RouteRecordSchema = z.looseObject({ name: optString, cidr: optString, create_time: epochMs });

/**
 * The id is a DynamoDB key (`CONN#{id}`, at most 1,024 bytes as a sort key): DLI's ids are UUIDs,
 * so anything past MAX_ID_LENGTH (255) characters is not one, and storing it would fail the whole
 * transaction. 255 UTF-16 units are at most 765 UTF-8 bytes, which leaves room for the key prefixes.
 * The readers (API, CLI, store) accept the same length: lib/validate.ts.
 */

export const ConnectionRecordSchema = z.looseObject({
  id: z
    .string()
    .min(1, 'id is empty')
    .max(MAX_ID_LENGTH, `id is longer than ${MAX_ID_LENGTH} characters (a DLI id is a UUID)`),
  name: optString,
  status: optString,
  available_queue_info: z.array(ResourceRecordSchema).nullish(),
  elastic_resource_pools: z.array(ResourceRecordSchema).nullish(),
  dest_vpc_id: optString,
  dest_network_id: optString,
  isPrivis: optBool,
  ipv6_enable: optBool,
  create_time: epochMs,
  hosts: z.array(HostRecordSchema).nullish(),
  routes: z.array(RouteRecordSchema).nullish(),
});
/** @public The parsed record's type, for the sync's normalizer (unused today). */
export type ConnectionRecord = z.infer<typeof ConnectionRecordSchema>;

/**
 * One page. `connections` items stay `unknown` here: a bad record must not fail the page, it is
 * quarantined later, one record at a time.
 */
export const ListPageSchema = z.looseObject({
  is_success: z.boolean().nullish(),
  message: z.string().nullish(),
  count: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
  connections: z.array(z.unknown()).nullish(),
});
export type ListPage = z.infer<typeof ListPageSchema>;

/** Error bodies: see error-body.ts (every shape the official Go SDK reads). */
