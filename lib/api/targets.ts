/**
 * `GET /targets`: every known target (lib/store/targets.ts listTargetOverview, the same call as the
 * CLI's `dli-sync targets`). One page: an estate has hundreds of targets, not millions.
 */
import { z } from 'zod';
import type { TargetRef } from '../model/target.ts';
import type { Store } from '../store/client.ts';
import { listTargetOverview } from '../store/targets.ts';

/** One target as `targets --json` and `GET /targets` show it (a contract: fields are only added). */
export const TargetOverviewSchema = z.object({
  region: z.string(),
  projectId: z.string(),
  projectName: z.string().nullable(),
  /** The named credential; null for the default one. */
  account: z.string().nullable(),
  source: z.enum(['explicit', 'discovered']),
  state: z.enum(['active', 'denied', 'not-enabled', 'retired']),
  /** ISO-8601 start of the newest complete sweep; null when none is on record. */
  lastCompleteSweepAt: z.string().nullable(),
  /** Live (not DELETED) connections stored for the target. */
  connections: z.number().int().nonnegative(),
});

export const TargetsResponseSchema = z.object({
  items: z.array(TargetOverviewSchema),
  cursor: z.null(),
});
export type TargetsResponse = z.infer<typeof TargetsResponseSchema>;

export async function targetsResponse(
  store: Store,
  configured: readonly TargetRef[],
): Promise<TargetsResponse> {
  return { items: await listTargetOverview(store, configured), cursor: null };
}
