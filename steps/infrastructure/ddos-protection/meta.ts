import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'infrastructure.ddos-protection',
  area: 'infrastructure',
  title: 'The DDoS posture is a decision: Shield Standard (free, always on) or Shield Advanced',
  severity: 'low',
  scope: 'global',
  references: {
    docs: [
      'https://docs.aws.amazon.com/waf/latest/developerguide/shield-chapter.html',
      'https://docs.aws.amazon.com/waf/latest/developerguide/ddos-advanced-summary-deciding.html',
      'https://aws.amazon.com/shield/pricing/',
      'https://docs.aws.amazon.com/whitepapers/latest/aws-best-practices-ddos-resiliency/welcome.html',
    ],
  },
  lesson: 'infrastructure/ddos-protection.md',
  permissions: {
    check: ['shield:DescribeSubscription'],
    fix: [],
  },
  fix: {
    kind: 'advice',
    costScale: 'dollars',
    cost:
      'This tool subscribes to nothing. Shield Standard is free. Shield Advanced costs about $3,000 a month per organization with a ' +
      'one-year commitment, plus a data-transfer fee on the protected resources.',
    risk: 'None from this tool. Subscribing to Shield Advanced commits the organization to twelve monthly fees.',
    destructive: false,
    paid: true,
  },
};

export default meta;
