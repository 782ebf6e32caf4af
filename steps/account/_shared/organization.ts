/** The caller's organization, read once per run and shared by the account steps that need it. */
import { AWSOrganizationsNotInUseException, DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Organization } from '@aws-sdk/client-organizations';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { errorKind } from '../../../src/engine/step-kit.js';

export type OrganizationRead = { organization: Organization } | { organization?: undefined; why: 'not-in-use' | 'unsupported' };

export function organization(ctx: StepContext): Promise<OrganizationRead> {
  return ctx.shared('organizations:describe', async (): Promise<OrganizationRead> => {
    try {
      const org = (await ctx.client(OrganizationsClient).send(new DescribeOrganizationCommand({}))).Organization;
      return org?.Id ? { organization: org } : { why: 'not-in-use' };
    } catch (err) {
      if (err instanceof AWSOrganizationsNotInUseException) return { why: 'not-in-use' };
      if (errorKind(err) === 'unsupported') return { why: 'unsupported' };
      throw err;
    }
  });
}
