/**
 * `check --org`'s fan-out against moto: an organization of three accounts (the caller's own and two
 * members), each checked through OrganizationAccountAccessRole with its own results; a role that
 * cannot be assumed is that account's error and the others are still checked. moto lets any role
 * be assumed, so a small proxy in front of it answers AccessDenied, as STS does, for one account.
 */
import { request as httpRequest, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpdateAccountPasswordPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAccounts } from '../../src/engine/org-check.js';
import { orgExitCode, renderOrgMarkdown, renderOrgTable } from '../../src/engine/org-report.js';
import { learnerFactory, listOrgAccounts, pickAccounts } from '../../src/engine/org.js';
import { createLearnerAccount, ensureOrganization } from '../../src/sandbox/classroom.js';
import { registry } from '../../steps/index.js';
import { motoEndpoint, resetMoto } from '../helpers/moto.js';
import { makeSandboxContext, SANDBOX_ACCOUNT_ID } from '../helpers/sandbox.js';

const passwordPolicy = registry.filter((e) => e.meta.id === 'account.password-policy');
const STRONG = { MinimumPasswordLength: 14, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true, PasswordReusePrevention: 24 };

/** Forwards to moto, but refuses sts:AssumeRole into `deniedAccount` with STS's AccessDenied. */
async function denyingProxy(target: string, deniedAccount: string): Promise<{ endpoint: string; denied: () => number; close: () => Promise<void> }> {
  const upstream = new URL(target);
  let denied = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('Action') === 'AssumeRole' && form.get('RoleArn')?.includes(`::${deniedAccount}:`)) {
        denied++;
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>` +
            `<Message>User: arn:aws:sts::${SANDBOX_ACCOUNT_ID}:user/moto is not authorized to perform: sts:AssumeRole on resource: ${form.get('RoleArn')}</Message></Error><RequestId>denied</RequestId></ErrorResponse>`,
        );
        return;
      }
      const out = httpRequest({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, denied: () => denied, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** An organization of three: the caller's account (weak policy), a member with a strong policy, a member without. */
async function organizationOfThree(): Promise<{ strong: string; weak: string }> {
  await resetMoto();
  const admin = makeSandboxContext();
  try {
    admin.factory.readOnly = false;
    await ensureOrganization(admin.factory);
    const strong = await createLearnerAccount(admin.factory, 'strong');
    const weak = await createLearnerAccount(admin.factory, 'weak');
    const asStrong = await learnerFactory(admin.factory, 'aws', 'strong');
    asStrong.factory.readOnly = false;
    await asStrong.factory.client(IAMClient).send(new UpdateAccountPasswordPolicyCommand(STRONG));
    asStrong.factory.destroy();
    return { strong, weak };
  } finally {
    admin.factory.destroy();
  }
}

describe('check --org against an emulated organization', () => {
  afterAll(() => resetMoto());

  it('checks every active account through the role, each with its own results; the worst account sets the exit code', async () => {
    const { strong, weak } = await organizationOfThree();
    const admin = makeSandboxContext();
    try {
      const { accounts } = pickAccounts(await listOrgAccounts(admin.factory));
      expect(accounts.map((a) => a.id).sort()).toEqual([SANDBOX_ACCOUNT_ID, strong, weak].sort());
      const report = await checkAccounts({
        factory: admin.factory,
        caller: admin.target,
        version: 'test',
        entries: passwordPolicy,
        accounts,
        regions: { regions: ['us-east-1'], source: 'sandbox' },
      });
      const byId = new Map(report.accounts.map((a) => [a.accountId, a]));
      expect(byId.get(strong)).toMatchObject({ name: 'strong', status: 'pass', summary: { pass: 1, fail: 0 } });
      expect(byId.get(strong)!.principalArn).toMatch(new RegExp(`^arn:aws:sts::${strong}:assumed-role/OrganizationAccountAccessRole/`));
      expect(byId.get(weak)).toMatchObject({ name: 'weak', status: 'fail', summary: { fail: 1 } });
      // The caller's own account is checked with the caller's credentials (no role in it to assume).
      expect(byId.get(SANDBOX_ACCOUNT_ID)).toMatchObject({ status: 'fail', principalArn: admin.target.principalArn });
      expect(report.summary).toMatchObject({ pass: 1, fail: 2, accounts: { pass: 1, fail: 2, error: 0 } });
      expect(orgExitCode(report.accounts)).toBe(1);
      expect(orgExitCode(report.accounts.filter((a) => a.accountId === strong))).toBe(0);

      const table = renderOrgTable(report, 100);
      for (const id of [strong, weak, SANDBOX_ACCOUNT_ID]) expect(table).toContain(`(${id}): `);
      expect(renderOrgMarkdown(report)).toContain(`## Account strong (${strong}): PASS`);
    } finally {
      admin.factory.destroy();
    }
  });

  it('a role that cannot be assumed is that account’s error (exit 3 when nothing fails); the other accounts are still checked', async () => {
    const { strong, weak } = await organizationOfThree();
    const proxy = await denyingProxy(motoEndpoint(), weak);
    const admin = makeSandboxContext({ endpoint: proxy.endpoint });
    try {
      const report = await checkAccounts({
        factory: admin.factory,
        caller: admin.target,
        version: 'test',
        entries: passwordPolicy,
        accounts: [
          { id: strong, name: 'strong', status: 'ACTIVE' },
          { id: weak, name: 'weak', status: 'ACTIVE' },
        ],
        missing: ['999999999999'],
        regions: { regions: ['us-east-1'], source: 'sandbox' },
      });
      expect(proxy.denied()).toBeGreaterThan(0);
      const [okAccount, deniedAccount, missing] = report.accounts;
      expect(okAccount).toMatchObject({ accountId: strong, status: 'pass' });
      expect(deniedAccount).toMatchObject({ accountId: weak, status: 'error' });
      expect(deniedAccount!.results).toBeUndefined();
      expect(deniedAccount!.error).toContain(`Could not assume arn:aws:iam::${weak}:role/OrganizationAccountAccessRole`);
      expect(deniedAccount!.error).toContain('sts:AssumeRole');
      expect(missing).toMatchObject({ accountId: '999999999999', status: 'error', error: 'Not an active account of this organization.' });
      expect(orgExitCode(report.accounts)).toBe(3);
    } finally {
      admin.factory.destroy();
      await proxy.close();
    }
  });

  it('at most `concurrency` accounts are worked on at once', async () => {
    const { strong, weak } = await organizationOfThree();
    const admin = makeSandboxContext();
    let inFlight = 0;
    let most = 0;
    try {
      await checkAccounts({
        factory: admin.factory,
        caller: admin.target,
        version: 'test',
        entries: passwordPolicy,
        accounts: [SANDBOX_ACCOUNT_ID, strong, weak].map((id) => ({ id, name: id, status: 'ACTIVE' })),
        regions: { regions: ['us-east-1'], source: 'sandbox' },
        concurrency: 2,
        adjust: async (_t, results) => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 200));
          inFlight--;
          return results;
        },
      });
      expect(most).toBe(2);
    } finally {
      admin.factory.destroy();
    }
  });
});
