/**
 * DynamoDB's item size and write-unit rules, computed the way the service documents them: attribute
 * names plus values (strings as UTF-8 bytes, numbers ~1 byte per 2 digits + 1, 3 bytes of overhead per
 * list or map plus 1 per element). DynamoDB Local does not report transactional capacity faithfully,
 * so the benchmark reports these figures next to what it says.
 */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name) + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number')
    return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueSize(v), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
        (n, [k, v]) => n + 1 + Buffer.byteLength(k) + valueSize(v),
        0,
      )
    );
  }
  return 0;
}

/** Write units of one item: 1 per started KB, doubled inside a transaction. */
export const writeUnits = (item: Record<string, unknown>, transactional: boolean): number =>
  Math.max(1, Math.ceil(itemSize(item) / 1024)) * (transactional ? 2 : 1);
