/** infrastructure.network-firewall, pure: which VPCs have an internet gateway, and the findings per region. */
import type { Vpc } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { endpointMonthUsd, gatewaysByVpc, regionFindings } from '../../steps/infrastructure/network-firewall/index.js';

const vpc = (id: string, name?: string): Vpc => ({ VpcId: id, ...(name ? { Tags: [{ Key: 'Name', Value: name }] } : {}) });
const ARN = 'arn:aws:ec2:eu-west-1:111122223333';

describe('internet gateways by VPC', () => {
  it('counts attached gateways, not detached ones', () => {
    const m = gatewaysByVpc([
      { InternetGatewayId: 'igw-1', Attachments: [{ VpcId: 'vpc-1', State: 'attached' }] },
      { InternetGatewayId: 'igw-2', Attachments: [{ VpcId: 'vpc-2', State: 'detached' }] },
      { InternetGatewayId: 'igw-3', Attachments: [] },
    ]);
    expect([...m]).toEqual([['vpc-1', ['igw-1']]]);
  });
});

describe('the findings of a region', () => {
  const gw = new Map([['vpc-1', ['igw-1']], ['vpc-2', ['igw-2']]]);

  it('passes a VPC behind a firewall, asks a decision for one without, ignores VPCs without a gateway', () => {
    const f = regionFindings('eu-west-1', [vpc('vpc-1', 'shop'), vpc('vpc-2'), vpc('vpc-3')], gw, [{ name: 'edge', vpcId: 'vpc-1', status: 'READY', zones: 2 }], ARN);
    expect(f.map((x) => [x.resource, x.status])).toEqual([
      ['vpc-1 (shop)', 'pass'],
      ['vpc-2', 'manual'],
    ]);
    expect(f[0]!.message).toMatch(/has AWS Network Firewall edge \(2 zones\)\. Make sure its subnets’ routes send traffic through/);
  });

  it('a firewall being deleted protects nothing', () => {
    const f = regionFindings('eu-west-1', [vpc('vpc-1')], gw, [{ name: 'old', vpcId: 'vpc-1', status: 'DELETING', zones: 1 }], ARN);
    expect(f[0]!.status).toBe('manual');
  });

  it('no VPC with an internet gateway: one pass for the region', () => {
    expect(regionFindings('eu-west-1', [vpc('vpc-9')], gw, [], ARN)).toEqual([expect.objectContaining({ status: 'pass', resource: `${ARN}:vpc/*` })]);
  });

  it('names the monthly cost of an endpoint in dollars', () => {
    expect(endpointMonthUsd()).toBe(288);
  });
});
