/**
 * year-one scenario: the office's SSH access, a security group that lets in port 22 from the
 * office's address range only. That is fine and must stay as it is, next to the day-one group that
 * lets the whole internet in.
 */
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import { securityGroups } from '../../../src/aws/ec2-inventory.js';
import { authorizeOnce, defaultVpcId } from '../_shared/default-vpc.js';

export const YEAR_ONE_OFFICE_GROUP = 'year-one-office-ssh';
/** The office's public range (TEST-NET-3, RFC 5737: documentation addresses). */
export const YEAR_ONE_OFFICE_CIDR = '203.0.113.0/24';

export async function seedYearOne(ctx: StepContext): Promise<void> {
  sandboxOnly(ctx);
  const region = ctx.target.homeRegion;
  const ec2 = ctx.client(EC2Client, region);
  const vpcId = await defaultVpcId(ctx, region);
  if (!vpcId) return;
  const groupId =
    (await securityGroups(ctx, region)).find((g) => g.GroupName === YEAR_ONE_OFFICE_GROUP && g.VpcId === vpcId)?.GroupId ??
    (await ec2.send(new CreateSecurityGroupCommand({ GroupName: YEAR_ONE_OFFICE_GROUP, Description: 'SSH from the office only', VpcId: vpcId }))).GroupId!;
  await authorizeOnce(() =>
    ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: YEAR_ONE_OFFICE_CIDR, Description: 'office' }] }],
      }),
    ),
  );
}
