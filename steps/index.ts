/**
 * The registry: every step in guide order (STEPS.md). Metadata is plain data loaded eagerly;
 * the implementation (and with it the AWS SDK clients it uses) loads only when a run needs it.
 */
import type { AnyStep, StepContext, StepEntry, StepMeta } from '../src/engine/step-kit.js';
import adminIdentity from './account/admin-identity/meta.js';
import groupsOnly from './account/groups-only/meta.js';
import noAdminStarPolicies from './account/no-admin-star-policies/meta.js';
import unusedCredentials from './account/unused-credentials/meta.js';
import userMfa from './account/user-mfa/meta.js';
import adminPorts from './infrastructure/admin-ports/meta.js';
import defaultSecurityGroups from './infrastructure/default-security-groups/meta.js';
import naclAdminPorts from './infrastructure/nacl-admin-ports/meta.js';
import inTransit from './data/in-transit/meta.js';
import ec2Imdsv2 from './resources/ec2-imdsv2/meta.js';
import ec2InstanceConnect from './resources/ec2-instance-connect/meta.js';
import ec2InstanceRoles from './resources/ec2-instance-roles/meta.js';
import kmsRotation from './data/kms-rotation/meta.js';
import s3AccountPublicAccess from './data/s3-account-public-access/meta.js';
import s3BucketPublicAccess from './data/s3-bucket-public-access/meta.js';
import s3Encryption from './data/s3-encryption/meta.js';
import s3TlsOnly from './data/s3-tls-only/meta.js';
import identityCenter from './account/identity-center/meta.js';
import passwordPolicy from './account/password-policy/meta.js';
import regions from './account/regions/meta.js';
import rootAccessKeys from './account/root-access-keys/meta.js';
import rootMfa from './account/root-mfa/meta.js';
import securityContacts from './account/security-contacts/meta.js';
import ddosProtection from './infrastructure/ddos-protection/meta.js';
import networkFirewall from './infrastructure/network-firewall/meta.js';
import networkLayout from './infrastructure/network-layout/meta.js';
import alerts from './monitoring/alerts/meta.js';
import ebsEncryption from './resources/ebs-encryption/meta.js';
import ec2Patching from './resources/ec2-patching/meta.js';
import publicSharing from './resources/public-sharing/meta.js';
import cloudtrail from './monitoring/cloudtrail/meta.js';
import configRecorder from './monitoring/config-recorder/meta.js';
import flowLogs from './monitoring/flow-logs/meta.js';
import guardduty from './monitoring/guardduty/meta.js';
import lambdaPublic from './resources/lambda-public/meta.js';
import lambdaRuntimes from './resources/lambda-runtimes/meta.js';
import backups from './resources/backups/meta.js';
import rdsHardening from './resources/rds-hardening/meta.js';
import rdsPrivate from './resources/rds-private/meta.js';

export type { AnyStep, StepEntry };

type YearOne = { seedYearOne: (ctx: StepContext) => Promise<void> };

const entry = (meta: StepMeta, load: () => Promise<{ default: AnyStep }>, yearOne?: () => Promise<YearOne>): StepEntry => ({
  meta,
  load: async () => (await load()).default,
  ...(yearOne ? { yearOne: async () => (await yearOne()).seedYearOne } : {}),
});

export const registry: StepEntry[] = [
  entry(rootMfa, () => import('./account/root-mfa/index.js')),
  entry(rootAccessKeys, () => import('./account/root-access-keys/index.js')),
  entry(passwordPolicy, () => import('./account/password-policy/index.js')),
  entry(adminIdentity, () => import('./account/admin-identity/index.js')),
  entry(securityContacts, () => import('./account/security-contacts/index.js')),
  entry(regions, () => import('./account/regions/index.js')),
  entry(identityCenter, () => import('./account/identity-center/index.js')),
  entry(userMfa, () => import('./account/user-mfa/index.js')),
  entry(unusedCredentials, () => import('./account/unused-credentials/index.js'), () => import('./account/unused-credentials/year-one.js')),
  entry(groupsOnly, () => import('./account/groups-only/index.js')),
  entry(noAdminStarPolicies, () => import('./account/no-admin-star-policies/index.js')),
  entry(networkLayout, () => import('./infrastructure/network-layout/index.js')),
  entry(defaultSecurityGroups, () => import('./infrastructure/default-security-groups/index.js')),
  entry(adminPorts, () => import('./infrastructure/admin-ports/index.js'), () => import('./infrastructure/admin-ports/year-one.js')),
  entry(naclAdminPorts, () => import('./infrastructure/nacl-admin-ports/index.js')),
  entry(networkFirewall, () => import('./infrastructure/network-firewall/index.js')),
  entry(ddosProtection, () => import('./infrastructure/ddos-protection/index.js')),
  entry(ec2Imdsv2, () => import('./resources/ec2-imdsv2/index.js'), () => import('./resources/ec2-imdsv2/year-one.js')),
  entry(ec2InstanceConnect, () => import('./resources/ec2-instance-connect/index.js')),
  entry(ec2InstanceRoles, () => import('./resources/ec2-instance-roles/index.js')),
  entry(ec2Patching, () => import('./resources/ec2-patching/index.js')),
  entry(ebsEncryption, () => import('./resources/ebs-encryption/index.js')),
  entry(publicSharing, () => import('./resources/public-sharing/index.js')),
  entry(rdsPrivate, () => import('./resources/rds-private/index.js')),
  entry(rdsHardening, () => import('./resources/rds-hardening/index.js')),
  entry(backups, () => import('./resources/backups/index.js')),
  entry(lambdaPublic, () => import('./resources/lambda-public/index.js')),
  entry(lambdaRuntimes, () => import('./resources/lambda-runtimes/index.js')),
  entry(s3AccountPublicAccess, () => import('./data/s3-account-public-access/index.js')),
  entry(s3BucketPublicAccess, () => import('./data/s3-bucket-public-access/index.js'), () => import('./data/s3-bucket-public-access/year-one.js')),
  entry(s3TlsOnly, () => import('./data/s3-tls-only/index.js')),
  entry(s3Encryption, () => import('./data/s3-encryption/index.js')),
  entry(kmsRotation, () => import('./data/kms-rotation/index.js')),
  entry(inTransit, () => import('./data/in-transit/index.js')),
  entry(cloudtrail, () => import('./monitoring/cloudtrail/index.js')),
  entry(flowLogs, () => import('./monitoring/flow-logs/index.js')),
  entry(guardduty, () => import('./monitoring/guardduty/index.js')),
  entry(alerts, () => import('./monitoring/alerts/index.js')),
  entry(configRecorder, () => import('./monitoring/config-recorder/index.js')),
];
