/** The pure parts of the resources area's function steps: who a policy lets in, and where a runtime stands. */
import { describe, expect, it } from 'vitest';
import { addPermissionFor, isEveryone, limitingKey, publicStatements, urlAuthCondition } from '../../steps/resources/_shared/lambda-policy.js';
import { RUNTIMES, runtimeVerdict, SOURCE, READ_ON } from '../../steps/resources/_shared/lambda-runtimes.js';
import lambdaPublic, { functionFinding, inputsSchema, names } from '../../steps/resources/lambda-public/index.js';
import { ScriptedAsker } from '../helpers/step-tester.js';
import { guidanceFor, runtimeFinding } from '../../steps/resources/lambda-runtimes/index.js';

const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (extra: Record<string, unknown> = {}) => ({ Sid: 'S', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction', Resource: '*', ...extra });
const fn = { name: 'f', arn: 'arn:aws:lambda:us-east-1:123456789012:function:f', region: 'us-east-1', packageType: 'Zip' };

describe('lambda policy statements', () => {
  it('everyone is "*", {"AWS": "*"} or a list holding "*"; a service or an account is not', () => {
    expect([isEveryone('*'), isEveryone({ AWS: '*' }), isEveryone({ AWS: ['arn:aws:iam::1:root', '*'] })]).toEqual([true, true, true]);
    expect([isEveryone({ Service: 's3.amazonaws.com' }), isEveryone({ AWS: 'arn:aws:iam::123456789012:root' }), isEveryone(undefined)]).toEqual([false, false, false]);
  });

  it('source account, source ARN and organization limit the caller, in any case and under ForAnyValue', () => {
    expect(limitingKey({ StringEquals: { 'AWS:SourceAccount': '123456789012' } })).toBe('AWS:SourceAccount');
    expect(limitingKey({ ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::bucket' } })).toBe('AWS:SourceArn');
    expect(limitingKey({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgID': ['o-abc'] } })).toBe('aws:PrincipalOrgID');
  });

  it('a wildcard value, a negated operator, IfExists or an unrelated key limits nothing', () => {
    expect(limitingKey({ StringLike: { 'aws:SourceArn': '*' } })).toBeUndefined();
    expect(limitingKey({ StringNotEquals: { 'aws:SourceAccount': '123456789012' } })).toBeUndefined();
    expect(limitingKey({ StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } })).toBeUndefined();
    expect(limitingKey({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })).toBeUndefined();
    expect(limitingKey({ StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } })).toBeUndefined();
  });

  it('public statements: Allow to everyone without a limit; Deny and limited ones are not', () => {
    const text = doc(
      allow({ Sid: 'Open' }),
      allow({ Sid: 'Denied', Effect: 'Deny' }),
      allow({ Sid: 'Mine', Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' } } }),
      allow({ Sid: 'Url', Action: 'lambda:InvokeFunctionUrl', Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } } }),
    );
    expect(publicStatements(text).map((s) => [s.sid, s.urlNone])).toEqual([
      ['Open', false],
      ['Url', true],
    ]);
    expect(() => publicStatements('{not json')).toThrow('the resource policy is not valid JSON');
    expect(urlAuthCondition({ StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } })).toBe('AWS_IAM');
  });

  it('the undo request puts a statement back when AddPermission can say it all, and not otherwise', () => {
    const [plain, url, ip] = publicStatements(
      doc(
        allow({ Sid: 'Open' }),
        allow({ Sid: 'Url', Action: 'lambda:InvokeFunctionUrl', Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } }),
        allow({ Sid: 'Ip', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }),
      ),
    );
    expect(addPermissionFor('f', plain!)).toEqual({ FunctionName: 'f', StatementId: 'Open', Action: 'lambda:InvokeFunction', Principal: '*' });
    expect(addPermissionFor('f', url!)).toMatchObject({ Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'AWS_IAM' });
    expect(addPermissionFor('f', ip!)).toBeUndefined();
  });
});

describe('resources.lambda-public findings and inputs', () => {
  it('the URL statement for AuthType NONE counts only while the URL is open', () => {
    const statements = publicStatements(doc(allow({ Sid: 'Url', Action: 'lambda:InvokeFunctionUrl', Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } } })));
    const open = functionFinding(fn, { url: 'https://x.lambda-url.us-east-1.on.aws/', authType: 'NONE' }, statements);
    expect(open.status).toBe('fail');
    expect(open.message).toBe('Function f (us-east-1) can be invoked by anyone: its function URL https://x.lambda-url.us-east-1.on.aws/ takes requests without authentication (AuthType NONE).');
    const closed = functionFinding(fn, { url: 'https://x.lambda-url.us-east-1.on.aws/', authType: 'AWS_IAM' }, statements);
    expect(closed.status).toBe('pass');
    expect(closed.message).toContain('matches no request while the URL requires credentials');
  });

  it('functions are named by name or ARN; anything else is refused with an example', () => {
    expect(inputsSchema.parse({ functions: ['f', fn.arn, 'f'] })).toEqual({ functions: ['f', fn.arn] });
    expect(names(['f'], fn) && names([fn.arn], fn) && !names(['g'], fn)).toBe(true);
    const bad = inputsSchema.safeParse({ functions: ['my function!'] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('a function name (letters, digits, - and _, up to 64) or its ARN');
  });
});

describe('resources.lambda-public questions', () => {
  const open = (name: string) =>
    functionFinding({ ...fn, name, arn: fn.arn.replace(/f$/, name) }, null, publicStatements(doc(allow({ Sid: 'Open' }))));

  it('asks once per public function, default No unless the answers file names it, and records the names chosen', async () => {
    const asker = new ScriptedAsker([{ confirm: true }, { confirm: null }, { confirm: null }]);
    const got = await lambdaPublic.inputs!.ask(asker, { functions: ['c'] }, [open('a'), open('b'), open('c')]);
    expect(got).toEqual({ functions: ['a', 'c'] });
    expect(asker.asked.map((q) => q.default)).toEqual([false, false, true]);
    expect(asker.asked[0]!.message).toBe(
      'Close function a (us-east-1)? Anyone can invoke it: policy statement "Open" allows everyone (Principal "*") lambda:InvokeFunction with no condition that limits the caller. Afterwards callers from other AWS accounts that relied on the removed statement get AccessDenied.',
    );
    // Only a function URL answers calls without credentials: its question says 403 for those.
    const url = functionFinding(fn, { url: 'https://x.lambda-url.us-east-1.on.aws/', authType: 'NONE' }, []);
    const urlAsker = new ScriptedAsker([{ confirm: null }]);
    await lambdaPublic.inputs!.ask(urlAsker, { functions: [] }, [url]);
    expect(urlAsker.asked[0]!.message).toMatch(/Afterwards callers of its function URL without AWS credentials \(webhooks, browsers, partners\) get 403 Forbidden\.$/);
    expect(asker.remaining).toBe(0);
  });

  it('the plan says who loses access, and its undo summary fits a line (the statement is in the parameters)', async () => {
    const plan = await lambdaPublic.plan(undefined as never, [open('a')], { functions: ['a'] });
    expect(plan.actions[0]!.inverse!.summary).toBe('Add statement "Open" back to the policy of a');
    expect(plan.warnings).toEqual(['Function a (us-east-1) stops being public: callers from other AWS accounts that relied on the removed statement get AccessDenied.']);
  });
});

describe('lambda runtimes', () => {
  const today = new Date('2026-12-04T12:00:00Z');

  it('the list names its source and the day it was read, and each runtime once with a date and a successor in the list', () => {
    expect(SOURCE).toBe('https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html');
    expect(READ_ON).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const ids = RUNTIMES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RUNTIMES) {
      expect(r.deprecated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(ids, `${r.id} moves to a runtime in the list`).toContain(r.moveTo);
      expect(runtimeVerdict(r.moveTo, today).state, `${r.id} moves to a supported runtime`).not.toBe('deprecated');
    }
  });

  it('deprecated on or before today, soon within 180 days, supported after; unknown when unlisted', () => {
    expect(runtimeVerdict('python3.7', today).state).toBe('deprecated');
    expect(runtimeVerdict('dotnet8', new Date('2026-11-10T00:00:00Z')).state).toBe('deprecated');
    expect(runtimeVerdict('dotnet8', new Date('2026-11-09T00:00:00Z'))).toMatchObject({ state: 'soon', days: 1 });
    expect(runtimeVerdict('nodejs22.x', today)).toMatchObject({ state: 'soon', days: 147 });
    expect(runtimeVerdict('python3.14', today).state).toBe('supported');
    expect(runtimeVerdict('cobol85', today).state).toBe('unknown');
  });

  it('the Amazon Linux 2 runtimes carry the dates AWS gave them in 2026, and Java on AL2 moves to the same Java on AL2023', () => {
    const at = (id: string) => RUNTIMES.find((r) => r.id === id)!;
    expect(READ_ON).toBe('2026-12-05');
    // AWS Health notices: provided.al2 ends a month after Amazon Linux 2, python3.10 with Python 3.10.
    expect(at('provided.al2')).toMatchObject({ deprecated: '2026-07-31', moveTo: 'provided.al2023' });
    expect(at('python3.10')).toMatchObject({ deprecated: '2026-10-31', moveTo: 'python3.14' });
    // A year's extension beyond Amazon Linux 2's end of life (2026-06-30).
    for (const id of ['python3.11', 'java8.al2', 'java11', 'java17']) expect(at(id).deprecated, id).toBe('2027-06-30');
    expect(at('java8.al2').moveTo).toBe('java8.al2023');
    expect(at('java11').moveTo).toBe('java11.al2023');
    expect(at('java17').moveTo).toBe('java17.al2023');
    for (const id of ['java8.al2023', 'java11.al2023', 'java17.al2023']) expect(at(id).deprecated, id).toBe('2029-06-30');
    expect(runtimeVerdict('provided.al2', today).state).toBe('deprecated');
    expect(runtimeVerdict('python3.10', today).state).toBe('deprecated');
    expect(runtimeVerdict('java17', today).state).toBe('supported');
    expect(runtimeFinding({ ...fn, runtime: 'java17' }, new Date('2027-03-01T00:00:00Z')).message).toBe(
      'Function f (us-east-1) runs java17 (Java 17 (Amazon Linux 2)), whose support ends on 2027-06-30, in 121 days. Plan the move to java17.al2023.',
    );
  });

  it('a container image is not judged by runtime; an unlisted runtime passes naming the list it was checked against', () => {
    expect(runtimeFinding({ ...fn, packageType: 'Image' }, today)).toMatchObject({ status: 'pass', message: expect.stringContaining('is a container image') });
    expect(runtimeFinding({ ...fn, runtime: 'python3.15' }, today).message).toBe(
      `Function f (us-east-1) runs python3.15, which has no deprecation date in the list read on ${READ_ON} from ${SOURCE}.`,
    );
  });

  it('the guidance names each function, its runtime, the date and the command, for ended and coming deprecations', () => {
    const text = guidanceFor([
      { name: 'a', region: 'eu-west-1', runtime: 'go1.x', deprecated: '2024-01-08', moveTo: 'provided.al2023', ended: true },
      { name: 'b', region: 'us-east-1', runtime: 'nodejs22.x', deprecated: '2027-04-30', moveTo: 'nodejs24.x', ended: false },
    ]);
    expect(text).toContain('- `a` (eu-west-1): `go1.x`, support ended on 2024-01-08; move to `provided.al2023`.');
    expect(text).toContain('- `b` (us-east-1): `nodejs22.x`, support ends on 2027-04-30; move to `nodejs24.x`.');
    expect(text).toContain('aws lambda update-function-configuration --region eu-west-1 --function-name a --runtime provided.al2023');
  });
});
