/**
 * resources.backups, pure parts: which databases an AWS Backup selection covers (./coverage.ts),
 * how a GetBackupSelection answer is read, the per-database coverage findings, the selection's name
 * and document, and the tag the person may pick.
 */
import { describe, expect, it } from 'vitest';
import type { SelectionRule } from '../../steps/resources/backups/coverage.js';
import { coverOf, coverText, covers, tagKeyOf, wildcardMatch } from '../../steps/resources/backups/coverage.js';
import type { Unit } from '../../steps/resources/backups/check.js';
import step, { coverageFindings, ruleOf, selectionDocument, selectionName, validTagKey, validTagValue } from '../../steps/resources/backups/index.js';

const ARN = 'arn:aws:rds:eu-west-1:111122223333:db:orders';
const CLUSTER = 'arn:aws:rds:eu-west-1:111122223333:cluster:ledger';
const db = (tags: Record<string, string> = {}, arn = ARN) => ({ arn, tags });
const rule = (r: Partial<SelectionRule>): SelectionRule => ({
  planName: 'nightly',
  selectionName: 'sel',
  resources: [],
  notResources: [],
  listOfTags: [],
  stringEquals: [],
  stringNotEquals: [],
  stringLike: [],
  stringNotLike: [],
  ...r,
});

describe('wildcard ARN patterns', () => {
  it('* stands for any run of characters, none included; the whole ARN must match', () => {
    expect(wildcardMatch('*', ARN)).toBe(true);
    expect(wildcardMatch('arn:aws:rds:*:*:db:*', ARN)).toBe(true);
    expect(wildcardMatch('arn:aws:rds:*:*:db:*', CLUSTER)).toBe(false);
    expect(wildcardMatch('arn:aws:rds:eu-west-1:111122223333:db:order*', ARN)).toBe(true);
    expect(wildcardMatch('arn:aws:rds:eu-west-1:111122223333:db:ord', ARN)).toBe(false);
    expect(wildcardMatch('arn:aws:rds:us-east-1:*:db:*', ARN)).toBe(false);
    // Regex characters in a pattern are plain text.
    expect(wildcardMatch('arn:aws:rds:eu-west-1:111122223333:db:orders.', ARN)).toBe(false);
    expect(wildcardMatch('arn:aws:rds:eu-west-1:111122223333:db:(orders)', 'arn:aws:rds:eu-west-1:111122223333:db:(orders)')).toBe(true);
  });

  it('a ConditionKey names the tag with or without aws:ResourceTag/', () => {
    expect(tagKeyOf('aws:ResourceTag/backup')).toBe('backup');
    expect(tagKeyOf('backup')).toBe('backup');
  });
});

describe('which selections cover a database', () => {
  it('by its exact ARN, by a pattern, or by "*"', () => {
    expect(covers(rule({ resources: [ARN] }), db())).toEqual({ by: 'arn', arn: ARN });
    expect(covers(rule({ resources: ['arn:aws:rds:*:*:db:*'] }), db())).toEqual({ by: 'pattern', pattern: 'arn:aws:rds:*:*:db:*' });
    expect(covers(rule({ resources: ['*'] }), db())).toEqual({ by: 'everything' });
    expect(covers(rule({ resources: ['arn:aws:rds:*:*:cluster:*'] }), db())).toBeUndefined();
    // The exact ARN wins over a pattern that also matches.
    expect(covers(rule({ resources: ['*', ARN] }), db())).toEqual({ by: 'arn', arn: ARN });
  });

  it('a selection that names nothing selects every resource', () => {
    expect(covers(rule({}), db())).toEqual({ by: 'everything' });
  });

  it('NotResources takes a database out whatever else matches', () => {
    expect(covers(rule({ resources: ['*'], notResources: ['arn:aws:rds:*:*:db:ord*'] }), db())).toBeUndefined();
    expect(covers(rule({ listOfTags: [{ key: 'backup', value: 'yes' }], notResources: [ARN] }), db({ backup: 'yes' }))).toBeUndefined();
    expect(covers(rule({ resources: ['*'], notResources: ['arn:aws:rds:*:*:cluster:*'] }), db())).toEqual({ by: 'everything' });
  });

  it('ListOfTags: any one tag condition is enough (OR); values are case sensitive', () => {
    const sel = rule({ listOfTags: [{ key: 'backup', value: 'daily' }, { key: 'aws:ResourceTag/team', value: 'data' }] });
    expect(covers(sel, db({ team: 'data' }))).toEqual({ by: 'tag', tag: { key: 'team', value: 'data' } });
    expect(covers(sel, db({ backup: 'daily' }))).toEqual({ by: 'tag', tag: { key: 'backup', value: 'daily' } });
    expect(covers(sel, db({ backup: 'Daily' }))).toBeUndefined();
    expect(covers(sel, db())).toBeUndefined();
  });

  it('Conditions: every condition must hold (AND)', () => {
    const sel = rule({
      stringEquals: [{ key: 'aws:ResourceTag/backup', value: 'true' }],
      stringLike: [{ key: 'aws:ResourceTag/stage', value: 'prod*' }],
      stringNotEquals: [{ key: 'aws:ResourceTag/owner', value: 'nobody' }],
      stringNotLike: [{ key: 'aws:ResourceTag/name', value: '*-tmp' }],
    });
    const good = { backup: 'true', stage: 'production', owner: 'ana', name: 'orders' };
    expect(covers(sel, db(good))).toEqual({ by: 'tag', tag: { key: 'backup', value: 'true' } });
    expect(covers(sel, db({ ...good, backup: 'false' }))).toBeUndefined();
    expect(covers(sel, db({ ...good, stage: 'dev' }))).toBeUndefined();
    expect(covers(sel, db({ ...good, owner: 'nobody' }))).toBeUndefined();
    expect(covers(sel, db({ ...good, name: 'orders-tmp' }))).toBeUndefined();
  });

  it('a negated condition does not hold for a database without that tag (the narrower reading)', () => {
    expect(covers(rule({ stringNotEquals: [{ key: 'aws:ResourceTag/skip', value: 'yes' }] }), db())).toBeUndefined();
    expect(covers(rule({ stringNotLike: [{ key: 'aws:ResourceTag/skip', value: '*' }] }), db())).toBeUndefined();
    expect(covers(rule({ stringNotEquals: [{ key: 'aws:ResourceTag/skip', value: 'yes' }] }), db({ skip: 'no' }))).toEqual({ by: 'everything' });
  });

  it('Resources AND tags: resource types first, then tags narrow them; ListOfTags with Resources is read as AND too', () => {
    const sel = rule({ resources: ['arn:aws:rds:*:*:db:*'], stringEquals: [{ key: 'aws:ResourceTag/backup', value: 'true' }] });
    expect(covers(sel, db({ backup: 'true' }))).toEqual({ by: 'tag', tag: { key: 'backup', value: 'true' }, pattern: 'arn:aws:rds:*:*:db:*' });
    expect(covers(sel, db({ backup: 'true' }, CLUSTER))).toBeUndefined();
    expect(covers(sel, db())).toBeUndefined();
    const both = rule({ resources: [CLUSTER], listOfTags: [{ key: 'backup', value: 'true' }] });
    expect(covers(both, db({ backup: 'true' }))).toBeUndefined();
    expect(covers(both, db({ backup: 'true' }, CLUSTER))).toMatchObject({ by: 'tag' });
  });

  it('the first covering selection of all plans is reported, with how', () => {
    const rules = [rule({ selectionName: 'clusters', resources: ['arn:aws:rds:*:*:cluster:*'] }), rule({ planName: 'weekly', selectionName: 'tagged', listOfTags: [{ key: 'backup', value: 'yes' }] })];
    const hit = coverOf(rules, db({ backup: 'yes' }));
    expect(hit?.rule.selectionName).toBe('tagged');
    expect(coverText(hit!.cover)).toBe('by tag backup=yes');
    expect(coverOf(rules, db())).toBeUndefined();
    expect(coverText({ by: 'arn', arn: ARN })).toBe('by its ARN');
    expect(coverText({ by: 'everything' })).toBe('which selects every resource');
  });
});

describe('a GetBackupSelection answer, read', () => {
  it('keeps ARNs, exclusions, STRINGEQUALS tags and every condition operator', () => {
    expect(
      ruleOf('nightly', {
        SelectionName: 's',
        IamRoleArn: 'arn:aws:iam::111122223333:role/r',
        Resources: ['*'],
        NotResources: [CLUSTER],
        ListOfTags: [{ ConditionType: 'STRINGEQUALS', ConditionKey: 'backup', ConditionValue: 'yes' }],
        Conditions: { StringEquals: [{ ConditionKey: 'aws:ResourceTag/a', ConditionValue: '1' }], StringNotLike: [{ ConditionKey: 'aws:ResourceTag/b', ConditionValue: 'x*' }] },
      }),
    ).toEqual(
      rule({
        selectionName: 's',
        resources: ['*'],
        notResources: [CLUSTER],
        listOfTags: [{ key: 'backup', value: 'yes' }],
        stringEquals: [{ key: 'aws:ResourceTag/a', value: '1' }],
        stringNotLike: [{ key: 'aws:ResourceTag/b', value: 'x*' }],
      }),
    );
  });
});

describe('coverage findings, per database', () => {
  const units: Unit[] = [
    { kind: 'instance', id: 'orders', arn: ARN, label: 'orders (postgres)', days: 7, tags: { backup: 'secure-start' } },
    { kind: 'cluster', id: 'ledger', arn: CLUSTER, label: 'cluster ledger (aurora-mysql)', days: 1, tags: {} },
  ];

  it('no plan: each database fails, naming what protects it now; the plan knows there is no secure-start plan yet', () => {
    const f = coverageFindings('eu-west-1', units, { plans: [], rules: [] }, false);
    expect(f.map((x) => [x.status, x.message])).toEqual([
      ['fail', 'Database orders (postgres) in eu-west-1: no AWS Backup plan in eu-west-1 backs it up; only its RDS automated backups (7 days) protect it.'],
      ['fail', 'Database cluster ledger (aurora-mysql) in eu-west-1: no AWS Backup plan in eu-west-1 backs it up; only its RDS automated backups (1 day) protect it.'],
    ]);
    expect(f[1]!.data).toMatchObject({ kind: 'coverage', db: 'cluster', id: 'ledger', arn: CLUSTER, tags: {}, ourRules: [] });
    expect(f[1]!.data).not.toHaveProperty('ourPlanId');
  });

  it('selections the endpoint cannot list: every database is unsupported with the reason, never a pass', () => {
    const f = coverageFindings('eu-west-1', units, { plans: [{ id: 'p1', name: 'nightly' }], rules: [], selectionsUnsupported: 'The endpoint does not implement this API (HTTP 500).' }, true);
    expect(f.map((x) => x.status)).toEqual(['unsupported', 'unsupported']);
    expect(f[0]!.message).toBe(
      'Database orders (postgres) in eu-west-1: whether AWS Backup backs it up could not be read. Plan nightly exists, but what it selects cannot be listed here: ' +
        'The endpoint does not implement this API (HTTP 500). (moto does not implement backup selections.)',
    );
  });

  it('a selection by tag covers one; the other is named with the plans that skip it', () => {
    const f = coverageFindings(
      'eu-west-1',
      units,
      { plans: [{ id: 'p1', name: 'secure-start-daily' }, { id: 'p2', name: 'weekly' }], rules: [rule({ planName: 'secure-start-daily', selectionName: 'tagged', listOfTags: [{ key: 'backup', value: 'secure-start' }] })] },
      false,
    );
    expect(f[0]).toMatchObject({ status: 'pass', message: 'Database orders (postgres) in eu-west-1 is backed up by AWS Backup plan secure-start-daily (selection tagged, by tag backup=secure-start).' });
    expect(f[1]).toMatchObject({ status: 'fail', message: expect.stringContaining('no selection of AWS Backup plans secure-start-daily and weekly names it') });
    expect(f[1]!.data).toMatchObject({ ourPlanId: 'p1', ourRules: [expect.objectContaining({ selectionName: 'tagged' })] });
  });
});

describe('the selection made and the tag picked', () => {
  it('names the selection from the tag, within the 50 characters AWS allows', () => {
    expect(selectionName({ key: 'backup', value: 'secure-start' })).toBe('secure-start-backup-secure-start');
    expect(selectionName({ key: 'team name', value: 'data/ops' })).toBe('secure-start-team-name-data-ops');
    const long = selectionName({ key: 'k'.repeat(60), value: 'v' });
    expect(long.length).toBeLessThanOrEqual(50);
    expect(long).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  it('selects every resource tagged key=value with the secure-start-backup role', () => {
    expect(selectionDocument({ key: 'backup', value: 'secure-start' }, 'aws', '111122223333')).toEqual({
      SelectionName: 'secure-start-backup-secure-start',
      IamRoleArn: 'arn:aws:iam::111122223333:role/secure-start-backup',
      Resources: ['*'],
      Conditions: { StringEquals: [{ ConditionKey: 'aws:ResourceTag/backup', ConditionValue: 'secure-start' }] },
    });
  });

  it('validates the tag as RDS and AWS Backup accept it', () => {
    expect(validTagKey('backup')).toBe(true);
    expect(validTagKey('team name:ops/a=b+c-d@e_f.g')).toBe(true);
    expect(validTagKey('')).toMatch(/Enter a tag key/);
    expect(validTagKey('aws:backup')).toMatch(/reserved for AWS/);
    expect(validTagKey('RDS:x')).toMatch(/reserved for AWS/);
    expect(validTagKey('k'.repeat(129))).toMatch(/at most 128 characters/);
    expect(validTagKey('a;b')).toMatch(/only letters, digits/);
    expect(validTagValue('secure-start')).toBe(true);
    expect(validTagValue('  ')).toMatch(/Enter a tag value/);
    expect(validTagValue('v'.repeat(257))).toMatch(/at most 256 characters/);
    expect(validTagValue('a"b')).toMatch(/only letters, digits/);
  });

  it('the answers entry: defaults backup=secure-start; unknown fields and bad tags are refused', () => {
    const schema = step.inputs!.schema;
    expect(schema.parse({})).toEqual({ tagKey: 'backup', tagValue: 'secure-start' });
    expect(schema.parse({ tagKey: ' team ', tagValue: 'data' })).toEqual({ tagKey: 'team', tagValue: 'data' });
    expect(schema.safeParse({ tagKey: 'aws:x' }).success).toBe(false);
    expect(schema.safeParse({ tag: 'backup=yes' }).success).toBe(false);
    expect(step.inputs!.defaults([])).toEqual({ tagKey: 'backup', tagValue: 'secure-start' });
  });
});
