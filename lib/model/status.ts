/**
 * Status values as normalized (upper-cased; `UNKNOWN` when the API sent none). Connections are ACTIVE
 * or DELETED, queue and pool peerings CREATING, ACTIVE or FAILED (the official SDKs'
 * EnhancedConnection and EnhancedConnectionResource models). The rules compare against these
 * names, never against string literals, so a typo is a type error rather than a silent mismatch.
 */
export const ACTIVE = 'ACTIVE';
export const DELETED = 'DELETED';
export const FAILED = 'FAILED';
export const CREATING = 'CREATING';
export const UNKNOWN = 'UNKNOWN';
/** The `status` of a DELETIONS_HELD event: it is about a target, which has no DLI status. */
export const HELD = 'HELD';
/** The `status` of a TARGET_STALE event (and the previousStatus of its TARGET_RECOVERED). */
export const STALE = 'STALE';

export const CONNECTION_STATUSES = [ACTIVE, DELETED, UNKNOWN] as const;
export const PEERING_STATUSES = [CREATING, ACTIVE, FAILED, UNKNOWN] as const;
