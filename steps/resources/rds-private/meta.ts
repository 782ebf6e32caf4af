import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.rds-private',
  area: 'resources',
  title: 'No RDS database instance or cluster is publicly accessible',
  severity: 'critical',
  scope: 'regional',
  references: {
    cis: ['3.2.3'],
    fsbp: ['RDS.2'],
    docs: [
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding',
      'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html',
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-2',
    ],
  },
  lesson: 'resources/rds-private.md',
  permissions: {
    check: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'],
    fix: ['rds:ModifyDBInstance'],
    grants: [{ actions: ['rds:ModifyDBInstance'], why: 'the databases are whichever the account has, each named by the person' }],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Each database stops having a public address at once (ApplyImmediately): anything that connects to it from the internet ' +
      '(a laptop, a hosted app, a BI tool outside AWS) loses its connection and cannot reconnect. Applications inside the VPC ' +
      'keep working. Each database is confirmed by name (default No).',
    destructive: true,
    paid: false,
  },
};

export default meta;
