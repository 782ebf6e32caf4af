import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.lambda-runtimes',
  area: 'resources',
  title: 'Every Lambda function runs on a runtime that AWS still supports',
  severity: 'medium',
  scope: 'regional',
  references: {
    fsbp: ['Lambda.2'],
    docs: [
      'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html',
      'https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-2',
    ],
  },
  lesson: 'resources/lambda-runtimes.md',
  permissions: { check: ['lambda:ListFunctions'], fix: [] },
  fix: {
    kind: 'advice',
    costScale: 'free',
    cost: 'free: a runtime upgrade changes nothing on the bill',
    risk:
      'Moving a function to a newer runtime can break it: a new major language version may drop or change what the code and its ' +
      'libraries rely on. Test it on the new runtime (a copy of the function, or a new version behind an alias) before switching.',
    destructive: false,
    paid: false,
  },
};

export default meta;
