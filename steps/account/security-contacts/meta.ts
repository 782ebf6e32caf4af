import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.security-contacts',
  area: 'account',
  title: 'AWS can reach a named security contact, and billing and operations contacts are set',
  severity: 'medium',
  scope: 'global',
  references: {
    cis: ['2.2', '2.3'],
    fsbp: ['Account.1'],
    docs: [
      'https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html',
      'https://docs.aws.amazon.com/accounts/latest/reference/API_PutAlternateContact.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/account-controls.html#account-1',
    ],
  },
  lesson: 'account/security-contacts.md',
  permissions: { check: ['account:GetAlternateContact'], fix: ['account:PutAlternateContact', 'account:DeleteAlternateContact'] },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'AWS will send security, billing and operations notices to the addresses you give, in addition to the root email: ' +
      'use mailboxes that someone reads, ideally a shared list rather than one person.',
    destructive: false,
    paid: false,
  },
};

export default meta;
