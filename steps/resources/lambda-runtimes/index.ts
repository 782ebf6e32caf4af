/**
 * resources.lambda-runtimes (FSBP Lambda.2): every function in the run's regions runs on a runtime
 * AWS still supports. One shared ListFunctions per region (../_shared/lambda.ts), compared with the
 * list of runtimes and their deprecation dates (../_shared/lambda-runtimes.ts).
 *
 * A function on a deprecated runtime fails; one whose runtime is deprecated within SOON_DAYS is an
 * advice; container images carry their runtime inside the image and are not judged here. The fix
 * is advice: changing a runtime means testing the code on it, which no tool can do for you.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Finding, Plan, Step } from '../../../src/engine/step-kit.js';
import { plural, sandboxOnly } from '../../../src/engine/step-kit.js';
import { ensureDayOneRole, ensureFunction } from '../_shared/lambda-fixtures.js';
import type { LambdaFunction } from '../_shared/lambda.js';
import { eachRegion } from '../_shared/lambda.js';
import { READ_ON, SOURCE, runtimeVerdict } from '../_shared/lambda-runtimes.js';
import meta from './meta.js';

/** The day-one function on a runtime whose support ended. */
export const DAY_ONE_LEGACY_FUNCTION = 'day-one-legacy-report';
export const DAY_ONE_LEGACY_RUNTIME = 'python3.7';

/** Today, replaceable in tests. */
export const clock = { now: (): Date => new Date() };

interface RuntimeData {
  name: string;
  region: string;
  runtime: string;
  deprecated: string;
  moveTo: string;
  ended: boolean;
}

/** The finding for one function on `today` (exported for unit tests). */
export function runtimeFinding(fn: LambdaFunction, today: Date): Finding {
  const base = { resource: fn.arn, region: fn.region };
  const name = `Function ${fn.name} (${fn.region})`;
  if (!fn.runtime)
    return {
      ...base,
      status: 'pass',
      message: `${name} is a container image (PackageType ${fn.packageType}): its runtime is the base image it was built from; rebuild it on a supported base image.`,
    };
  const v = runtimeVerdict(fn.runtime, today);
  if (v.state === 'unknown')
    return { ...base, status: 'pass', message: `${name} runs ${fn.runtime}, which has no deprecation date in the list read on ${READ_ON} from ${SOURCE}.` };
  const e = v.entry;
  const data: RuntimeData = { name: fn.name, region: fn.region, runtime: fn.runtime, deprecated: e.deprecated, moveTo: e.moveTo, ended: v.state === 'deprecated' };
  if (v.state === 'deprecated')
    return {
      ...base,
      status: 'fail',
      message: `${name} runs ${fn.runtime} (${e.name}), whose support ended on ${e.deprecated}: it gets no security patches. Move it to ${e.moveTo}.`,
      data: { ...data },
    };
  if (v.state === 'soon')
    return {
      ...base,
      status: 'manual',
      advice: true,
      message: `${name} runs ${fn.runtime} (${e.name}), whose support ends on ${e.deprecated}, in ${plural(v.days, 'day')}. Plan the move to ${e.moveTo}.`,
      data: { ...data },
    };
  return { ...base, status: 'pass', message: `${name} runs ${fn.runtime} (${e.name}), supported until ${e.deprecated}.` };
}

function flagged(findings: Finding[]): RuntimeData[] {
  return findings
    .filter((f) => (f.status === 'fail' || f.status === 'manual') && f.data && 'moveTo' in f.data)
    .map((f) => f.data as unknown as RuntimeData);
}

/** The guidance: each function, its runtime, when support ended or ends, what to move to, and how. */
export function guidanceFor(items: RuntimeData[]): string {
  const lines = [
    `Functions on runtimes AWS no longer supports, or soon will not (dates from ${SOURCE}, read on ${READ_ON}; AWS may move future dates):`,
    '',
    ...items.map(
      (d) => `- \`${d.name}\` (${d.region}): \`${d.runtime}\`, support ${d.ended ? 'ended' : 'ends'} on ${d.deprecated}; move to \`${d.moveTo}\`.`,
    ),
    '',
    'For each function:',
    '',
    '1. Read the release notes between the two language versions and update the code and its dependencies (rebuild native packages for the new runtime).',
    '2. Test it on the new runtime: publish a copy, or a new version behind an alias, and send it real events before switching the live one.',
    '3. Switch the runtime (the function keeps its code, configuration and URL):',
    '',
    ...items.map((d) => `       aws lambda update-function-configuration --region ${d.region} --function-name ${d.name} --runtime ${d.moveTo}`),
    '',
    '4. Watch its errors in CloudWatch for a day; to go back, run the same command with the old runtime (possible until AWS blocks updates on it).',
    '',
    'Functions built with SAM, CDK, Terraform or CloudFormation: change the runtime there instead, or the next deployment puts the old one back.',
  ];
  return lines.join('\n');
}

const step: Step = {
  meta,

  async check(ctx) {
    const today = clock.now();
    return eachRegion(ctx, ['lambda:ListFunctions'], async (region, functions) => {
      if (!functions.length)
        return [{ status: 'pass', resource: `arn:${ctx.target.partition}:lambda:${region}:${ctx.target.accountId}:function:*`, region, message: `No Lambda functions in ${region}.` }];
      return functions.map((fn) => runtimeFinding(fn, today));
    });
  },

  async plan(_ctx, findings): Promise<Plan> {
    const items = flagged(findings);
    if (!items.length) return { actions: [] };
    return { actions: [], guidance: guidanceFor(items) };
  },

  /** day-one scenario, home region: "day-one-legacy-report" on python3.7 (support ended 2023-12-04). */
  async seed(ctx) {
    sandboxOnly(ctx);
    const role = await ensureDayOneRole(ctx);
    await ensureFunction(ctx.client(LambdaClient, ctx.target.homeRegion), { name: DAY_ONE_LEGACY_FUNCTION, role, runtime: DAY_ONE_LEGACY_RUNTIME });
  },
};

export default step;
