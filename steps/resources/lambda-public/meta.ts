import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.lambda-public',
  area: 'resources',
  title: 'No Lambda function can be invoked by anyone: no function URL without authentication, no policy statement for everyone',
  severity: 'critical',
  scope: 'regional',
  references: {
    fsbp: ['Lambda.1'],
    docs: [
      'https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-1',
      'https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html',
      'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
      'https://docs.aws.amazon.com/lambda/latest/api/API_RemovePermission.html',
      'https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionUrlConfig.html',
    ],
  },
  lesson: 'resources/lambda-public.md',
  permissions: {
    check: ['lambda:ListFunctions', 'lambda:GetPolicy', 'lambda:GetFunctionUrlConfig'],
    fix: ['lambda:RemovePermission', 'lambda:UpdateFunctionUrlConfig', 'lambda:AddPermission'],
    grants: [
      {
        actions: ['lambda:RemovePermission', 'lambda:UpdateFunctionUrlConfig', 'lambda:AddPermission'],
        resources: ['arn:aws:lambda:*:*:function:*'],
        why: 'the functions are whichever ones the person names at run time',
      },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Whoever calls the function URL today without AWS credentials (a webhook sender, a browser, a partner\'s system) gets 403 ' +
      'Forbidden from then on: a function URL with AuthType AWS_IAM needs signed requests. Other AWS accounts that invoked the ' +
      'function through a removed policy statement get AccessDenied. Nothing else in the policy changes. Each function is confirmed by name (default No); the journal keeps the ' +
      'removed statement and the previous AuthType, so the change can be undone.',
    destructive: true,
    paid: false,
  },
};

export default meta;
