/**
 * Whether a DLI error answer says "this project is closed to you" rather than "something broke".
 * Across an estate of discovered projects some are always out of reach (a region the policy does not
 * grant, a project where DLI was never enabled); those are states of the target, reported once,
 * not failures of every run. Anything not recognised here stays a real error. Pure.
 *
 * - `denied`: HTTP 403 whatever the code (IAM's policy denials and APIG's "not authorized to access
 *   the API", APIG.0302), and 401 with DLI's own authentication codes DLI.0013 / DLI.0014 (the
 *   documented "user/service authentication error" of a project the identity may not use).
 *   A 401 from the gateway (APIG.0301 "verify aksk signature fail", a rejected token, a clock skew)
 *   is NOT `denied`: it says our key, token or clock is wrong for every project, and hiding it as a
 *   state would let a broken credential exit 0.
 * - `not-enabled`: a 4xx whose message says the service is not enabled / opened / subscribed /
 *   authorized in the project. Our references (dli-api-facts.md, DLI's error-code page dli_02_0056)
 *   name no dedicated code for it, so the message decides; checked before `denied`, so a 403 that
 *   says "not enabled" is the more useful of the two.
 */
export type Reachability = 'denied' | 'not-enabled';

/** What the classification reads of a DliApiError (its details and one-line message). */
export interface ErrorFacts {
  httpStatus: number | null;
  errorCode: string | null;
  message: string;
}

const DLI_AUTH_CODES = new Set(['DLI.0013', 'DLI.0014']);
const NOT_ENABLED =
  /\b(not|never)\s+(been\s+)?(enabled|activated|opened|subscribed)\b|\bservice\s+(is\s+)?(disabled|not\s+(open|authorized))\b|\bnot\s+authorized\s+(to\s+use\s+)?(the\s+)?DLI\b/i;

export function reachabilityOf(e: ErrorFacts | null): Reachability | null {
  if (!e || e.httpStatus === null || e.httpStatus < 400 || e.httpStatus > 499) return null;
  if (e.httpStatus === 429 || e.httpStatus === 408) return null;
  if (NOT_ENABLED.test(e.message)) return 'not-enabled';
  if (e.httpStatus === 403) return 'denied';
  if (e.httpStatus === 401 && e.errorCode !== null && DLI_AUTH_CODES.has(e.errorCode)) return 'denied';
  return null;
}
