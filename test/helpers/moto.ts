/**
 * Test helpers for the shared moto_server started by test/helpers/global-setup.ts: its endpoint,
 * resetting it, and its request recorder (which calls a code path actually made).
 */
import { inject } from 'vitest';
import { motoReset } from '../../src/sandbox/moto.js';

let managedPolicies = false;

/**
 * This test file needs AWS's managed IAM policies (AdministratorAccess, ReadOnlyAccess…), as the
 * day-one scenario and the IAM steps do: call it at the top of the file, before any test runs.
 * Other files use an emulator without them, which resets several times faster.
 */
export function useManagedPolicies(): void {
  managedPolicies = true;
}

/** The endpoint of this worker's moto_server (the global setup starts two per worker: see useManagedPolicies). */
export function motoEndpoint(): string {
  const endpoints = inject(managedPolicies ? 'motoEndpoints' : 'motoLightEndpoints');
  if (!endpoints?.length) throw new Error('No moto endpoint: run vitest with test/helpers/global-setup.ts as globalSetup.');
  const worker = Number(process.env.VITEST_POOL_ID ?? 1);
  return endpoints[(worker - 1) % endpoints.length]!;
}

/** Forgets every resource in moto (it is shared by all test files: reset only where no other file runs at once). */
export async function resetMoto(endpoint: string = motoEndpoint()): Promise<void> {
  await motoReset(endpoint);
}

/** One request as moto's recorder stores it. `body` is base64 when `body_encoded`. */
export interface RecordedRequest {
  headers: Record<string, string>;
  method: string;
  url: string;
  body?: string | null;
  body_encoded?: boolean;
}

async function recorder(path: string, endpoint: string, method: 'GET' | 'POST'): Promise<string> {
  const res = await fetch(new URL(`/moto-api/recorder/${path}`, endpoint), { method, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto recorder ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return text;
}

/** Empties the recording and starts recording every request. */
export async function startRecording(endpoint: string = motoEndpoint()): Promise<void> {
  await recorder('reset-recording', endpoint, 'POST');
  await recorder('start-recording', endpoint, 'POST');
}

export async function stopRecording(endpoint: string = motoEndpoint()): Promise<void> {
  await recorder('stop-recording', endpoint, 'POST');
}

/** The requests recorded since startRecording(), oldest first. */
export async function downloadRecording(endpoint: string = motoEndpoint()): Promise<RecordedRequest[]> {
  const text = await recorder('download-recording', endpoint, 'GET');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedRequest);
}

export interface DescribedRequest {
  /** SigV4 signing name (`iam`, `ec2`, `s3`…), or '' for an unsigned request. */
  service: string;
  /** SigV4 region, or '' for an unsigned request. */
  region: string;
  /** `CreateUser`, `PutMetricAlarm`, or `PUT /bucket` for REST APIs. */
  action: string;
}

function header(r: RecordedRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(r.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The request body as text. */
export function requestBody(r: RecordedRequest): string {
  if (!r.body) return '';
  return r.body_encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body;
}

/**
 * Service, region and action of a recorded request: service and region from the SigV4 credential
 * scope; the action from the form field `Action=` (query protocols), else the `X-Amz-Target`
 * header after the dot (JSON protocols), else the operation in a Smithy RPC v2 path
 * (`/service/S/operation/Op`), else METHOD + path (REST protocols).
 */
export function describeRequest(r: RecordedRequest): DescribedRequest {
  const scope = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(header(r, 'Authorization') ?? '');
  const region = scope?.[1] ?? '';
  const service = scope?.[2] ?? '';
  const url = new URL(r.url, 'http://localhost');

  const contentType = header(r, 'Content-Type') ?? '';
  const body = requestBody(r);
  if (!contentType.includes('json') && !contentType.includes('cbor')) {
    const action = new URLSearchParams(body).get('Action') ?? url.searchParams.get('Action');
    if (action) return { service, region, action };
  }
  const target = header(r, 'X-Amz-Target');
  if (target) return { service, region, action: target.slice(target.lastIndexOf('.') + 1) };
  const rpc = /\/service\/[^/]+\/operation\/([^/?]+)/.exec(url.pathname);
  if (rpc?.[1]) return { service, region, action: decodeURIComponent(rpc[1]) };
  return { service, region, action: `${r.method.toUpperCase()} ${decodeURIComponent(url.pathname)}` };
}
