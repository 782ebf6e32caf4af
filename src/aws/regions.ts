import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { ClientFactory } from './factory.js';

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

export function isRegionName(name: string): boolean {
  return REGION.test(name);
}

/** Regions enabled for the account (opted-in or not requiring opt-in), sorted. */
export async function enabledRegions(factory: ClientFactory): Promise<string[]> {
  const out = await factory.client(EC2Client).send(new DescribeRegionsCommand({ AllRegions: false }));
  return (out.Regions ?? [])
    .filter((r) => r.OptInStatus !== 'not-opted-in')
    .map((r) => r.RegionName!)
    .filter(Boolean)
    .sort();
}
