/**
 * Typed errors. Every message is one line meant for a person: what is wrong and what is expected.
 * No message ever contains a credential (AK/SK, token, webhook URL). Callers tell them apart with
 * `instanceof` only; `name` is set for logs, never compared.
 */
export class DliSyncError extends Error {
  override name = 'DliSyncError';
}

/** Bad or missing configuration (environment, SSM parameters): CLI exit code 2, nothing written. */
export class ConfigError extends DliSyncError {
  override name = 'ConfigError';
}

export interface DliApiErrorDetails {
  target: string;
  httpStatus: number | null;
  errorCode: string | null;
  retryable: boolean;
  /** The server's request id (X-Request-Id header, else the body's request_id): what Huawei support asks for. */
  requestId: string | null;
}

/**
 * A caller's request is wrong: a CLI flag or argument, an API parameter, a cursor that is not ours.
 * CLI exit code 2, HTTP 400.
 */
export class BadRequestError extends DliSyncError {
  override name = 'BadRequestError';
}

/** DynamoDB answered, but not usably: an item we cannot read, work it kept refusing, a table not ready. */
export class StoreError extends DliSyncError {
  override name = 'StoreError';
}

/** The DLI API answered with an error, an unusable body, or not at all. */
export class DliApiError extends DliSyncError {
  override name = 'DliApiError';
  readonly details: DliApiErrorDetails;
  /** `requestId` may be left out where no answer carried one (network errors, a shifting listing). */
  constructor(
    message: string,
    details: Omit<DliApiErrorDetails, 'requestId'> & { requestId?: string | null },
  ) {
    super(message);
    this.details = { ...details, requestId: details.requestId ?? null };
  }
}

/** Another writer changed an item between our read and our conditional write. */
export class ConcurrentWriteError extends DliSyncError {
  override name = 'ConcurrentWriteError';
}

/** One line for a person, whatever was thrown. Never a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.message}`.split('\n')[0] ?? err.name;
  return String(err).split('\n')[0] ?? 'unknown error';
}
