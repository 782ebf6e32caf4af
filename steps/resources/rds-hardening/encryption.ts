/**
 * Encryption at rest cannot be switched on for an existing RDS database: an encrypted copy replaces
 * it (snapshot → encrypted copy of the snapshot → restore → cut over). The guidance gives the exact
 * AWS CLI commands for each database, with its own subnet group and security groups, and the downtime.
 */
import type { HardeningData } from './judge.js';

// Each command is one line: the wizard lays it out to the terminal with ` \` continuations, so a
// command copied from any width runs as written. Comments are kept short (and split over `#`
// lines), because a wrapped comment would leave its second half to run as a command.

const networkFlags = (d: HardeningData): string =>
  `${d.subnetGroup ? ` --db-subnet-group-name ${d.subnetGroup}` : ''}${d.securityGroups?.length ? ` --vpc-security-group-ids ${d.securityGroups.join(' ')}` : ''}`;

function instanceCommands(d: HardeningData): string[] {
  const r = `--region ${d.region}`;
  const snap = `${d.id}-plain`;
  const enc = `${d.id}-encrypted`;
  return [
    '# 1. Stop the writes (stop the application, or put it in',
    '#    maintenance mode), then snapshot the database:',
    `aws rds create-db-snapshot ${r} --db-instance-identifier ${d.id} --db-snapshot-identifier ${snap}`,
    `aws rds wait db-snapshot-available ${r} --db-snapshot-identifier ${snap}`,
    '# 2. An encrypted copy of the snapshot (alias/aws/rds is the',
    '#    free AWS managed key; a key of your own works too):',
    `aws rds copy-db-snapshot ${r} --source-db-snapshot-identifier ${snap} --target-db-snapshot-identifier ${enc} --kms-key-id alias/aws/rds`,
    `aws rds wait db-snapshot-available ${r} --db-snapshot-identifier ${enc}`,
    '# 3. A new, encrypted database from it, in the same network:',
    `aws rds restore-db-instance-from-db-snapshot ${r} --db-instance-identifier ${enc} --db-snapshot-identifier ${enc}` +
      `${d.instanceClass ? ` --db-instance-class ${d.instanceClass}` : ''}${networkFlags(d)} --no-publicly-accessible --deletion-protection`,
    `aws rds wait db-instance-available ${r} --db-instance-identifier ${enc}`,
    '# 4. Point the application at the new endpoint and check it;',
    '#    then remove the old database (a final snapshot is kept):',
    `aws rds modify-db-instance ${r} --db-instance-identifier ${d.id} --no-deletion-protection --apply-immediately`,
    `aws rds delete-db-instance ${r} --db-instance-identifier ${d.id} --final-db-snapshot-identifier ${d.id}-final`,
  ];
}

function clusterCommands(d: HardeningData): string[] {
  const r = `--region ${d.region}`;
  const snap = `${d.id}-plain`;
  const enc = `${d.id}-encrypted`;
  const aurora = d.engine.startsWith('aurora');
  return [
    '# 1. Stop the writes, then snapshot the cluster:',
    `aws rds create-db-cluster-snapshot ${r} --db-cluster-identifier ${d.id} --db-cluster-snapshot-identifier ${snap}`,
    `aws rds wait db-cluster-snapshot-available ${r} --db-cluster-snapshot-identifier ${snap}`,
    '# 2. An encrypted copy of the snapshot:',
    `aws rds copy-db-cluster-snapshot ${r} --source-db-cluster-snapshot-identifier ${snap} --target-db-cluster-snapshot-identifier ${enc} --kms-key-id alias/aws/rds`,
    `aws rds wait db-cluster-snapshot-available ${r} --db-cluster-snapshot-identifier ${enc}`,
    '# 3. A new, encrypted cluster from it, in the same network:',
    `aws rds restore-db-cluster-from-snapshot ${r} --db-cluster-identifier ${enc} --snapshot-identifier ${enc} --engine ${d.engine}` +
      `${networkFlags(d)}${!aurora && d.instanceClass ? ` --db-cluster-instance-class ${d.instanceClass}` : ''} --deletion-protection`,
    ...(aurora
      ? [
          '# Aurora restores a cluster without instances: add one, with',
          '# the class of the old writer in place of INSTANCE_CLASS:',
          `aws rds create-db-instance ${r} --db-instance-identifier ${enc}-1 --db-cluster-identifier ${enc} --engine ${d.engine} --db-instance-class INSTANCE_CLASS`,
        ]
      : []),
    '# 4. Point the application at the new cluster endpoint and',
    '#    check it; then remove the old cluster:',
    `aws rds modify-db-cluster ${r} --db-cluster-identifier ${d.id} --no-deletion-protection --apply-immediately`,
    `aws rds delete-db-cluster ${r} --db-cluster-identifier ${d.id} --final-db-snapshot-identifier ${d.id}-final`,
  ];
}

/** Markdown: per unencrypted database, the commands and what they cost in downtime. */
export function encryptionGuidance(dbs: HardeningData[]): string {
  const out = [
    '### Encrypting a database that is not encrypted',
    '',
    'RDS cannot encrypt a database in place. The way is a copy: snapshot it, copy the snapshot with encryption, restore a new ' +
      'database from the copy, and move the application to it.',
    '',
    '**Downtime:** writes made after the snapshot are not in the copy, so the application must stop writing from step 1 until ' +
      'it points at the new database: from minutes for a small database to hours for a large one ' +
      '(snapshot, copy and restore each take longer as the data grows). The new database has a new endpoint name, unless you rename the old one away and give the new ' +
      'one its name (`modify-db-instance --new-db-instance-identifier`). Try it on a copy first if you can.',
    '',
  ];
  for (const d of dbs) {
    out.push(`**${d.label}** in ${d.region}:`, '', '```sh', ...(d.kind === 'cluster' ? clusterCommands(d) : instanceCommands(d)), '```', '');
  }
  out.push('New databases: create them encrypted (`--storage-encrypted`); the console does this by default.');
  return out.join('\n');
}
