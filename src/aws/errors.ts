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

export function errorCode(err: unknown): string {
  const e = (err ?? {}) as AwsErrorShape;
  return String(e.Code ?? e.code ?? e.name ?? 'Error');
}

export function httpStatus(err: unknown): number | undefined {
  const e = (err ?? {}) as AwsErrorShape;
  return e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
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
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'TimeoutError']);

/** The SDK could not parse the answer: it did not come from an AWS API (an emulator's HTML error page). */
export function isForeignResponse(err: unknown): boolean {
  const e = (err ?? {}) as AwsErrorShape;
  return /Deserialization error/.test(e.message ?? '');
}

export type ErrorKind = 'access-denied' | 'throttled' | 'unsupported' | 'credentials' | 'network' | 'blocked' | 'other';

export function errorKind(err: unknown): ErrorKind {
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
  const msg = (e.message ?? String(err)).split('\n')[0]!.trim();
  switch (kind) {
    case 'access-denied': {
      const needs = context.permissions?.length ? ` It needs: ${context.permissions.join(', ')}.` : '';
      return `Access denied (${msg}).${needs} Run \`secure-start policy\` for the policy to grant.`;
    }
    case 'throttled':
      return `AWS throttled the requests and retries ran out (${errorCode(err)}). Try again in a minute.`;
    case 'unsupported':
      if (isForeignResponse(err)) return `The endpoint does not implement this API (HTTP ${httpStatus(err)}, not an AWS answer).`;
      return `The endpoint does not implement this API (${errorCode(err)}${msg && msg !== errorCode(err) ? `: ${msg}` : ''}).`;
    case 'credentials':
      return `The credentials were refused (${errorCode(err)}: ${msg}). Sign in again (for SSO: \`aws sso login\`).`;
    case 'network':
      return `Could not reach the AWS endpoint (${msg}).`;
    case 'blocked':
      return msg;
    default:
      return `${errorCode(err)}: ${msg}`;
  }
}
