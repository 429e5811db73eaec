/**
 * The mass-deletion fuse's thresholds (the rule itself is lib/sync/fuse.ts). Here, not there, because
 * configuration (lib/config.ts) reads them and must not depend on the sync.
 */
export interface FusePolicy {
  /** Trips above this share of the live connections, in percent (0-100)… */
  sharePercent: number;
  /** …and above this many connections. */
  minCount: number;
  /** Consecutive agreeing complete sweeps after which held deletions apply; 0 = never (operator). */
  confirmAfterSweeps: number;
}

export const DEFAULT_FUSE: FusePolicy = { sharePercent: 20, minCount: 5, confirmAfterSweeps: 0 };
