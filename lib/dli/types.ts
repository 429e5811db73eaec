/** The contract between the DLI client (lib/dli) and the sync (lib/sync). lib/dli knows nothing of DynamoDB. */
import type { DliApiError } from '../errors.ts';
import type { Target } from '../model/schemas.ts';

/** Permanent AK/SK, or temporary AK/SK with a security token (sent as X-Security-Token and signed). */
export type AkSkCredentials = { kind: 'aksk'; ak: string; sk: string; securityToken?: string | undefined };

export type Credentials =
  | AkSkCredentials
  /**
   * An agency of another account: temporary AK/SK/token from IAM's assume-role API
   * (lib/dli/agency.ts), obtained with `base`, cached until shortly before they expire.
   */
  | {
      kind: 'agency';
      base: AkSkCredentials;
      agencyName: string;
      domain: string;
      domainIsId: boolean;
      /** IAM origin of the assume-role call. */
      iamEndpoint: string;
      durationSeconds: number;
    }
  /** An IAM token sent as X-Auth-Token. */
  | { kind: 'token'; token: string }
  /**
   * An IAM user's password: a token scoped to the target's project is fetched from IAM
   * (`POST /v3/auth/tokens`), cached until 5 minutes before it expires, and sent as X-Auth-Token.
   */
  | {
      kind: 'iam';
      domainName: string;
      userName: string;
      password: string;
      /** IAM base URL; default `https://iam.{region}.myhuaweicloud.com` of the target's region. */
      iamEndpoint?: string | undefined;
    };

export interface SweepOptions<R = unknown> {
  credentials: Credentials;
  /**
   * Maps each record as its page arrives; `records` holds what it returns, in listing order. The sync
   * keeps a compact form this way instead of every parsed page (most of its memory at 10,000s of
   * connections). Identity when absent.
   */
  map?: (record: unknown) => R;
  /** Connections per page (the API's `limit`). Default 100. */
  pageSize?: number;
  /** Page requests in flight at once for this target. */
  concurrency?: number;
  /** Epoch ms after which the sweep gives up (and is incomplete). */
  deadline?: number;
}

/**
 * Everything one target's sweep saw. `records` are the API's connection objects as received (unknown
 * fields kept), or what `map` made of them, de-duplicated by id. `complete` is true only when every
 * page was read and the listing did not shift under the sweep: only then may absence mean deletion.
 */
export interface SweepResult<R = unknown> {
  target: Target;
  complete: boolean;
  records: R[];
  pages: number;
  requests: number;
  /** Why the sweep is incomplete; null when complete. */
  error: DliApiError | null;
}
