/** The class's pure parts: learner names (a number or a file), join lines and AWS CLI profiles, --accounts and --role-name. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseProfileBlock, joinEndpointFor, joinLine, learnerProfileBlock, parseLearnerNames, parseLearners } from '../../src/sandbox/classroom.js';
import { parseAccountIds, parseRoleName, pickAccounts, sessionName } from '../../src/engine/org.js';

describe('--learners', () => {
  it('a number gives learner-01… with a width that sorts', async () => {
    expect(await parseLearners('3')).toEqual(['learner-01', 'learner-02', 'learner-03']);
    expect((await parseLearners('120')).slice(0, 2)).toEqual(['learner-001', 'learner-002']);
  });

  it('refuses 0 and more than the limit', async () => {
    await expect(parseLearners('0')).rejects.toThrow(/between 1 and 200/);
    await expect(parseLearners('201')).rejects.toThrow(/between 1 and 200/);
  });

  it('reads a file: one name a line, blank lines and # comments ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'classroom-'));
    const file = join(dir, 'names.txt');
    await writeFile(file, '# morning group\nana\n\r\nBen-2\n  chloe  \n');
    expect(await parseLearners(file)).toEqual(['ana', 'Ben-2', 'chloe']);
  });

  it('names the line of a bad name, of a duplicate (any case), and a file that cannot be read', async () => {
    expect(() => parseLearnerNames('ana\nbad name\n', 'names.txt')).toThrow('names.txt, line 2: "bad name" is not a learner name.');
    expect(() => parseLearnerNames('ana\nben\nAna\n', 'names.txt')).toThrow('names.txt, line 3: "Ana" is already on line 1.');
    expect(() => parseLearnerNames('a'.repeat(33), 'n')).toThrow(/line 1/);
    expect(() => parseLearnerNames('# only a comment\n\n', 'n')).toThrow('n names no learner.');
    await expect(parseLearners('/nonexistent/names.txt')).rejects.toThrow(/not a number, and the file cannot be read/);
  });
});

describe('what a learner is given', () => {
  it('a join line that names the learner, and profiles that assume their role at the endpoint', () => {
    expect(joinLine('http://10.0.0.5:5000', 'ana')).toBe('secure-start --sandbox http://10.0.0.5:5000 --learner ana');
    const block = learnerProfileBlock('http://10.0.0.5:5000', { name: 'ana', accountId: '111122223333' });
    expect(block).toContain('[profile classroom-ana]');
    expect(block).toContain('role_arn = arn:aws:iam::111122223333:role/OrganizationAccountAccessRole');
    expect(block).toContain('source_profile = classroom');
    expect(block).toContain('endpoint_url = http://10.0.0.5:5000');
    expect(baseProfileBlock('http://10.0.0.5:5000')).toMatch(/aws_access_key_id = sandbox\naws_secret_access_key = sandbox/);
  });

  it('--host: a named address is used as is; a wildcard becomes an address learners can dial', () => {
    expect(joinEndpointFor('http://127.0.0.1:5000', undefined)).toBe('http://127.0.0.1:5000');
    expect(joinEndpointFor('http://192.168.1.20:5000', '192.168.1.20')).toBe('http://192.168.1.20:5000');
    expect(joinEndpointFor('http://127.0.0.1:5000', '0.0.0.0')).not.toContain('0.0.0.0');
  });
});

describe('--accounts, --role-name', () => {
  it('takes twelve-digit ids, once each, and refuses anything else', () => {
    expect(parseAccountIds('111122223333, 444455556666,111122223333')).toEqual(['111122223333', '444455556666']);
    expect(() => parseAccountIds('1234')).toThrow('Not an AWS account id: 1234.');
    expect(() => parseAccountIds(' , ')).toThrow('--accounts names no account.');
  });

  it('defaults the role to OrganizationAccountAccessRole and refuses a path or a bad name', () => {
    expect(parseRoleName(undefined)).toBe('OrganizationAccountAccessRole');
    expect(parseRoleName('AWSControlTowerExecution')).toBe('AWSControlTowerExecution');
    expect(() => parseRoleName('a/b')).toThrow(/not an IAM role name/);
  });

  it('picks the active accounts, or those named; a named account that is not active is missing', () => {
    const all = [
      { id: '111111111111', name: 'a', status: 'ACTIVE' },
      { id: '222222222222', name: 'b', status: 'SUSPENDED' },
      { id: '333333333333', name: 'c', status: 'ACTIVE' },
    ];
    expect(pickAccounts(all).accounts.map((a) => a.name)).toEqual(['a', 'c']);
    expect(pickAccounts(all, ['333333333333', '222222222222'])).toEqual({ accounts: [all[2]], missing: ['222222222222'] });
  });

  it('role session names stay within what STS takes', () => {
    expect(sessionName('x'.repeat(100))).toHaveLength(64);
    expect(sessionName('a b')).toBe('secure-start-a-b');
  });
});
