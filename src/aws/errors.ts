/** How AWS errors become step statuses and one-line messages. */

export class MutationBlockedError extends Error {
  constructor(
    readonly service: string,
    readonly operation: string,
  ) {
    super(`${service}:${operation} refused: this run is read-only (check and plan never change the account)`);
    this.name = 'MutationBlockedError';
  }
}

/** The SDK call an error came from: attached by the client factory to every error a call throws. */
export interface FailedCall {
  /** `sts:GetCallerIdentity`: the service's IAM prefix and the operation. */
  api: string;
  /** The IAM action the call needs (`s3:ListBucket` for `s3:HeadBucket`). */
  action: string;
  /** Where the request went: `https://sts.us-east-1.amazonaws.com`, or the custom endpoint. */
  endpoint?: string;
}

const CALL = Symbol.for('secure-start.failedCall');

/** The endpoint did not answer in time, after every attempt: connect or request timeout. */
export class EndpointTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    message: string,
    readonly phase: 'connect' | 'answer',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TimeoutError';
  }
}

/** The answer was not an AWS API's: an HTML page, or a document without what the API returns. */
export class ForeignAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForeignAnswerError';
  }
}

interface AwsErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
  errno?: number | string;
  cause?: unknown;
}

/** What the SDK names an answer that carries no error code (S3 HEAD requests have no body). */
const NO_CODE = new Set(['UnknownError', 'Unknown', 'Error', 'Forbidden', '403', '']);

function rawCode(err: unknown): string {
  const e = (err ?? {}) as AwsErrorShape;
  return String(e.Code ?? e.code ?? e.name ?? 'Error');
}

function rawStatus(err: unknown): number | undefined {
  const e = (err ?? {}) as AwsErrorShape;
  return e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
}

/** A 403 without an AWS error code: S3 HEAD requests, and moto's XML 403 to a JSON API. It is AccessDenied. */
function isBare403(err: unknown): boolean {
  return rawStatus(err) === 403 && NO_CODE.has(rawCode(err));
}

/**
 * An error a step wrapped (`new Error('…', { cause })`) is classified by what it wraps: a plain
 * Error with neither an AWS code nor an HTTP status, and a cause.
 */
function classified(err: unknown): unknown {
  let e = err;
  for (let depth = 0; depth < 5; depth++) {
    const shape = (e ?? {}) as AwsErrorShape;
    const plain = e instanceof Error && e.name === 'Error' && shape.code === undefined && shape.Code === undefined && rawStatus(e) === undefined;
    if (!plain || shape.cause === undefined) return e;
    e = shape.cause;
  }
  return e;
}

/** The AWS error code; a bare 403 is `AccessDenied`, never `UnknownError`. */
export function errorCode(err: unknown): string {
  return isBare403(err) ? 'AccessDenied' : rawCode(err);
}

export function httpStatus(err: unknown): number | undefined {
  return rawStatus(err);
}

/** The call an error (or the error it wraps) came from, when it went through the client factory. */
export function failedCall(err: unknown): FailedCall | undefined {
  let e = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const call = (e as { [CALL]?: FailedCall })[CALL];
    if (call) return call;
    e = (e as AwsErrorShape).cause;
  }
  return undefined;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/**
 * Called by the client factory on every error a call throws, after the SDK's retries: names the
 * call on the error, gives a bare 403 its proper name (AccessDenied), and turns the HTTP handler's
 * timeouts into one sentence naming the operation, the endpoint and the time waited.
 */
export function annotateError(err: unknown, call: FailedCall, timeouts: { connectMs: number; requestMs: number }): unknown {
  if (!err || typeof err !== 'object') return err;
  let out = err as Error & AwsErrorShape;
  if (isBare403(out)) {
    try {
      out.name = 'AccessDenied';
      // Keep what the endpoint said, if anything (moto: "User … is not authorized to perform …").
      if (NO_CODE.has((out.message ?? '').trim())) out.message = 'HTTP 403 with no error code';
    } catch {
      /* a frozen error keeps its name; errorCode() still says AccessDenied */
    }
  } else {
    // The HTTP handler's own timeouts (connect ECONNRESET is named TimeoutError too, and stays as it is).
    const m = out.message ?? '';
    const phase = /did not establish a connection|^connect ETIMEDOUT/.test(m) ? 'connect' : /requestTimeout|ms of inactivity/.test(m) ? 'answer' : undefined;
    if (phase) {
      const where = call.endpoint ?? 'the AWS endpoint';
      const attempts = Number((out.$metadata as { attempts?: number } | undefined)?.attempts ?? 1);
      const tries = attempts > 1 ? `, ${attempts} attempts` : '';
      out =
        phase === 'connect'
          ? new EndpointTimeoutError(`${call.api} could not connect to ${where} within ${seconds(timeouts.connectMs)}${tries}`, phase, { cause: err })
          : new EndpointTimeoutError(`${call.api} got no answer from ${where} within ${seconds(timeouts.requestMs)}${tries}`, phase, { cause: err });
    }
  }
  if (!Object.prototype.hasOwnProperty.call(out, CALL)) Object.defineProperty(out, CALL, { value: call, enumerable: false });
  return out;
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'Forbidden',
  '403',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
]);
const UNSUPPORTED = new Set([
  'NotImplemented',
  'NotImplementedError',
  'NotImplementedException',
  'UnknownOperationException',
  'InvalidAction',
  'UnrecognizedClientException',
]);
const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'EPIPE', 'TimeoutError']);

/** The SDK could not parse the answer: it did not come from an AWS API (an emulator's HTML error page). */
export function isForeignResponse(err: unknown): boolean {
  const e = (err ?? {}) as AwsErrorShape;
  return err instanceof ForeignAnswerError || /Deserialization error/.test(e.message ?? '');
}

export type ErrorKind = 'access-denied' | 'throttled' | 'unsupported' | 'credentials' | 'network' | 'blocked' | 'other';

export function errorKind(error: unknown): ErrorKind {
  const err = classified(error);
  if (err instanceof MutationBlockedError) return 'blocked';
  const code = errorCode(err);
  const status = httpStatus(err);
  const e = (err ?? {}) as AwsErrorShape;
  const netCode = String(e.code ?? (e.cause as AwsErrorShape | undefined)?.code ?? '');
  if (NETWORK.has(netCode) || NETWORK.has(code)) return 'network';
  // Refused credentials also come as 403: look at the code first.
  if (CREDENTIALS.has(code) && code !== 'UnrecognizedClientException') return 'credentials';
  if (ACCESS_DENIED.has(code) || status === 403) return 'access-denied';
  if (THROTTLED.has(code) || status === 429) return 'throttled';
  if (UNSUPPORTED.has(code) || status === 501) return 'unsupported';
  // An emulator that lacks an API answers 404 or 500 with an HTML page the SDK cannot parse.
  if (isForeignResponse(err) && (status === 404 || status === 500 || status === 501)) return 'unsupported';
  // Or 404 with no AWS error code, or 500 NotImplementedError.
  if (status === 404 && /^(Error|UnknownError|NotFound|404)$/.test(code)) return 'unsupported';
  if (status === 500 && /not (yet |been )?implemented|notimplemented/i.test(e.message ?? '')) return 'unsupported';
  if (code === 'UnrecognizedClientException') return 'credentials';
  return 'other';
}

/** One line for a person: what went wrong and, where known, what to do. */
export function describeError(err: unknown, context: { permissions?: string[] } = {}): string {
  const kind = errorKind(err);
  const e = (err ?? {}) as AwsErrorShape;
  const call = failedCall(err);
  let msg = (e.message ?? String(err)).split('\n')[0]!.trim();
  switch (kind) {
    case 'access-denied': {
      msg = NO_CODE.has(msg) ? 'HTTP 403 with no error code' : msg.replace(/[.\s]+$/, '');
      // The action the refused call needs, where known; else every action the step declares.
      const needs = call ? [call.action] : (context.permissions ?? []);
      const what = call ? `: ${call.api}` : '';
      return `Access denied${what} (${msg}).${needs.length ? ` It needs: ${needs.join(', ')}.` : ''} Run \`secure-start policy\` for the policy to grant.`;
    }
    case 'throttled':
      return `AWS throttled the requests and retries ran out (${errorCode(err)}). Try again in a minute.`;
    case 'unsupported':
      if (isForeignResponse(err)) return `The endpoint does not implement this API (HTTP ${httpStatus(err)}, not an AWS answer).`;
      return `The endpoint does not implement this API (${errorCode(err)}${msg && msg !== errorCode(err) ? `: ${msg}` : ''}).`;
    case 'credentials':
      return `The credentials were refused (${errorCode(err)}: ${msg}). Sign in again (for SSO: \`aws sso login\`).`;
    case 'network':
      if (classified(err) instanceof EndpointTimeoutError) return `${(classified(err) as Error).message}.`;
      return `Could not reach ${call?.endpoint ?? 'the AWS endpoint'}${call ? ` for ${call.api}` : ''} (${msg}).`;
    case 'blocked':
      return msg;
    default:
      return `${errorCode(err)}: ${msg}`;
  }
}
