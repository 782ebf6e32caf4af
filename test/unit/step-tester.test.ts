/** The StepTester's own contract: the case tables it refuses, and how it reads moto's recording. */
import { describe, expect, it } from 'vitest';
import passwordPolicy from '../../steps/account/password-policy/index.js';
import securityContacts from '../../steps/account/security-contacts/index.js';
import { ScriptedAsker, isReadRequest, validateCases } from '../helpers/step-tester.js';
import type { StepCase } from '../helpers/step-tester.js';

const UPDATE = 'iam:UpdateAccountPasswordPolicy';

describe('validateCases', () => {
  const ok: StepCase[] = [
    { name: 'fails', expectStatus: 'fail', expectOperations: [UPDATE] },
    { name: 'passes', expectStatus: 'pass' },
  ];

  it('accepts a sound table', () => {
    expect(() => validateCases(passwordPolicy, ok)).not.toThrow();
  });

  it.each<[string, StepCase[], RegExp]>([
    ['duplicate names', [...ok, { name: 'fails', expectStatus: 'fail', expectOperations: [UPDATE] }], /"fails" appears more than once/],
    ['a failing case without operations', [{ name: 'x', expectStatus: 'fail' }], /states no expectOperations/],
    ['a failing case with no operations', [{ name: 'x', expectStatus: 'fail', expectOperations: [] }], /states no expectOperations/],
    ['a passing case that plans changes', [{ name: 'x', expectStatus: 'pass', expectOperations: [UPDATE] }], /a passing step must plan nothing/],
    ['inputs outside the schema', [{ name: 'x', expectStatus: 'fail', expectOperations: [UPDATE], inputs: { minimumLength: 2 } }], /inputs do not match/],
    ['an operation not written service:Operation', [{ name: 'x', expectStatus: 'fail', expectOperations: ['UpdateAccountPasswordPolicy'] }], /service:Operation/],
    ['a nameless case', [{ name: ' ', expectStatus: 'pass' }], /has no name/],
    ['a region written after anything but one @', [{ name: 'x', expectStatus: 'fail', expectOperations: [`${UPDATE}@@global`] }], /service:Operation@region/],
    ['an empty region list', [{ name: 'x', expectStatus: 'pass', regions: [] }], /at least one region/],
    ['an unreachable region that is not one of the case’s', [{ name: 'x', expectStatus: 'pass', regions: ['us-east-1'], unreachable: ['eu-west-1'] }], /unreachable regions/],
    ['every region unreachable', [{ name: 'x', expectStatus: 'pass', regions: ['us-east-1', 'eu-west-1'], unreachable: ['us-east-1', 'eu-west-1'] }], /never all of them/],
  ])('refuses %s', (_label, cases, message) => {
    expect(() => validateCases(passwordPolicy, cases)).toThrow(message);
  });

  it('accepts operations pinned to a region, and some regions unreachable', () => {
    expect(() =>
      validateCases(passwordPolicy, [{ name: 'x', regions: ['us-east-1', 'eu-west-1'], unreachable: ['eu-west-1'], expectStatus: 'fail', expectOperations: [`${UPDATE}@global`] }]),
    ).not.toThrow();
  });

  it('refuses changes expected from a step that needs inputs when the case gives none', () => {
    expect(() => validateCases(securityContacts, [{ name: 'x', expectStatus: 'fail', expectOperations: ['account:PutAlternateContact'] }])).toThrow(
      /needs inputs/,
    );
  });
});

describe('isReadRequest', () => {
  it.each([
    ['GetAccountPasswordPolicy', true],
    ['DescribeVpcs', true],
    ['UpdateAccountPasswordPolicy', false],
    ['POST /getAlternateContact', true],
    ['POST /putAlternateContact', false],
    ['GET /my-bucket', true],
    ['PUT /my-bucket', false],
  ])('%s → %s', (action, read) => {
    expect(isReadRequest({ service: 'x', region: 'us-east-1', action })).toBe(read);
  });
});

describe('ScriptedAsker', () => {
  it('fails loudly on a question the script did not expect', async () => {
    const asker = new ScriptedAsker([{ confirm: true }]);
    await expect(asker.text({ message: 'Name' })).rejects.toThrow(/Asked text "Name", but the script answers confirm/);
    await expect(asker.confirm({ message: 'Sure?', default: false })).rejects.toThrow(/Unscripted question \(confirm\): Sure\?/);
  });

  it('takes the default on Enter and refuses a choice that is not offered', async () => {
    const asker = new ScriptedAsker([{ text: '' }, { select: 'c' }]);
    expect(await asker.text({ message: 'Name', default: 'alice' })).toBe('alice');
    await expect(asker.select({ message: 'Pick', choices: [{ value: 'a', name: 'A' }] })).rejects.toThrow(/not a choice/);
  });
});
