/**
 * Which statements of a Lambda function's resource policy let anyone invoke it (FSBP Lambda.1).
 * Pure: the policy text in, the public statements out.
 *
 * A statement is public when it allows (Effect Allow) a principal that is everyone (`"*"`,
 * `{"AWS": "*"}`) and no condition narrows who may call: aws:SourceArn, aws:SourceAccount,
 * aws:PrincipalOrgID and their relatives, tested for equality or a pattern that is not `*` alone.
 * A condition that only applies when the key is present (…IfExists), or a negated operator,
 * narrows nothing.
 *
 * Function URLs: AWS adds a statement `Principal "*"`, `lambda:InvokeFunctionUrl`, with the
 * condition `lambda:FunctionUrlAuthType = NONE` when a URL is made with AuthType NONE. That
 * statement opens the function to the internet exactly while the URL's AuthType is NONE; with
 * AWS_IAM it matches no request. It is reported with the URL, and the URL's fix (AuthType AWS_IAM)
 * closes it; it is not removed.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** Condition keys that tie a statement to a caller, a source resource or an organization. */
const LIMITING_KEYS = new Set(
  [
    'aws:SourceArn',
    'aws:SourceAccount',
    'aws:SourceOwner',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
  ].map((k) => k.toLowerCase()),
);

/** Operators that limit to the values given. */
const LIMITING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike']);

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** `"*"`, `{"AWS": "*"}` or `{"AWS": ["…", "*"]}`: everyone. */
export function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') return list((principal as Record<string, unknown>).AWS).includes('*');
  return false;
}

/** The condition key that narrows who may call, or undefined when none does. */
export function limitingKey(condition: PolicyStatement['Condition']): string | undefined {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    const op = operator.toLowerCase().replace(/^(forallvalues|foranyvalue):/, '');
    if (!LIMITING_OPERATORS.has(op) || !keys || typeof keys !== 'object') continue;
    for (const [key, value] of Object.entries(keys)) {
      const values = list(value).filter((v): v is string => typeof v === 'string');
      if (LIMITING_KEYS.has(key.toLowerCase()) && values.length && !values.some((v) => /^[*?]*$/.test(v))) return key;
    }
  }
  return undefined;
}

/** The AuthType a statement's condition requires of function-URL calls (`lambda:FunctionUrlAuthType`), if any. */
export function urlAuthCondition(condition: PolicyStatement['Condition']): string | undefined {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    if (operator.toLowerCase() !== 'stringequals' || !keys || typeof keys !== 'object') continue;
    for (const [key, value] of Object.entries(keys)) if (key.toLowerCase() === 'lambda:functionurlauthtype') return String(list(value)[0]);
  }
  return undefined;
}

export interface PublicStatement {
  sid: string;
  actions: string[];
  /** The statement as read, kept for the journal (a later undo puts it back). */
  statement: PolicyStatement;
  /** It only lets anyone call the function URL while the URL's AuthType is NONE. */
  urlNone: boolean;
}

/** Parses a policy document; throws a short message when it is not JSON with statements. */
export function parsePolicy(text: string): PolicyStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('the resource policy is not valid JSON');
  }
  const statements = (doc as { Statement?: unknown })?.Statement;
  return list(statements).filter((s): s is PolicyStatement => !!s && typeof s === 'object');
}

/** The statements that let anyone invoke the function, in the policy's order. */
export function publicStatements(text: string): PublicStatement[] {
  const out: PublicStatement[] = [];
  for (const [i, s] of parsePolicy(text).entries()) {
    if ((s.Effect ?? 'Allow') !== 'Allow' || !isEveryone(s.Principal) || limitingKey(s.Condition)) continue;
    out.push({
      sid: s.Sid ?? `statement ${i + 1}`,
      actions: list(s.Action).map(String),
      statement: s,
      urlNone: urlAuthCondition(s.Condition) === 'NONE',
    });
  }
  return out;
}

/**
 * The AddPermission request that puts a removed statement back (for the journal's undo), or
 * undefined when AddPermission cannot express it (several actions, conditions it has no field for).
 */
export function addPermissionFor(functionName: string, s: PublicStatement): Record<string, unknown> | undefined {
  if (s.actions.length !== 1 || !s.statement.Sid) return undefined;
  const auth = urlAuthCondition(s.statement.Condition);
  const conditionKeys = Object.values(s.statement.Condition ?? {}).flatMap((keys) => Object.keys(keys ?? {}));
  if (conditionKeys.some((k) => k.toLowerCase() !== 'lambda:functionurlauthtype')) return undefined;
  return {
    FunctionName: functionName,
    StatementId: s.statement.Sid,
    Action: s.actions[0],
    Principal: '*',
    ...(auth ? { FunctionUrlAuthType: auth } : {}),
  };
}
