/**
 * Text from the account never writes to the person's terminal (issue 9, item 4): the sanitiser
 * itself, and every text renderer that shows findings, plans, reports, the scorecard or prompts.
 */
import { render } from '@inquirer/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildReport, renderMarkdownReport, renderTable } from '../../src/engine/report.js';
import type { StepResult } from '../../src/engine/result.js';
import { hasUnsafeText, mdCode, mdText, safeBlock, safeData, safeJson, safePlan, safeResult, safeText } from '../../src/engine/safe-text.js';
import type { Finding, Plan, StepMeta, Target } from '../../src/engine/types.js';
import type { PromptContext } from '../../src/wizard/prompts.js';
import { InquirerAsker } from '../../src/wizard/prompts.js';
import { findingsTable, planView } from '../../src/wizard/render.js';
import { scorecardMarkdown, scorecardTerminal } from '../../src/wizard/scorecard.js';
import { bufferOutput, setColor } from '../../src/wizard/theme.js';

/** A VPC Name tag that erases the line above and fakes a PASS, with a C1 CSI and a bidi override. */
const EVIL = 'prod\x1b[2K\x1b[1A\u2026PASS all good\x9b31m \u202eevil\u202c\x07';
/** Anything a renderer must never let through from account text (the renderer's own colours are off here). */
/** In a prompt's raw screen, inquirer's own cursor moves are there too: look for the injected sequences. */
const INJECTED = ['\x1b[1A\u2026PASS', '\x9b', '\u202e', '\u202c', '\x07'];
// eslint-disable-next-line no-control-regex -- looking for control characters is the test
const FORBIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

beforeEach(() => setColor(false));

describe('safeText: one value on one line', () => {
  it.each([
    ['ESC (CSI erase line, cursor up)', 'a\x1b[2Kb\x1b[1Ac', 'a[2Kb[1Ac'],
    ['other C0 controls (NUL, BEL, BS, VT, FF)', 'a\x00b\x07c\x08d\x0be\x0cf', 'abcdef'],
    ['DEL', 'a\x7fb', 'ab'],
    ['C1 controls, the one-byte CSI U+009B and NEL U+0085', 'a\x9b2Jb\x85c\x80d\x9fe', 'a2Jbcde'],
    ['bidi embeddings and overrides U+202A–U+202E', 'a\u202ab\u202bc\u202cd\u202de\u202ef', 'abcdef'],
    ['bidi isolates U+2066–U+2069', 'a\u2066b\u2067c\u2068d\u2069e', 'abcde'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'abc'],
  ])('removes %s', (_, input, expected) => {
    expect(safeText(input)).toBe(expected);
    expect(hasUnsafeText(safeText(input))).toBe(false);
  });

  it('shows newline, carriage return and tab escaped', () => {
    expect(safeText('sec@example.com\nFIXED x\r\tend')).toBe('sec@example.com\\nFIXED x\\r\\tend');
  });

  it('leaves ordinary Unicode as it is: accents, CJK, emoji, right-to-left letters, the ellipsis', () => {
    const ordinary = 'Zoë café · 東京の本番 · 🚀🔒 · עברית · العربية · naïve… — “quoted” ✓';
    expect(safeText(ordinary)).toBe(ordinary);
    expect(safeBlock(ordinary)).toBe(ordinary);
    expect(hasUnsafeText(ordinary)).toBe(false);
  });

  it('flags what it would change', () => {
    expect(hasUnsafeText(EVIL)).toBe(true);
    expect(hasUnsafeText('plain')).toBe(false);
  });
});

describe('safeBlock and safeData: text on several lines', () => {
  it('keeps newlines and tabs, makes CRLF a newline, drops a lone CR and every other control', () => {
    expect(safeBlock('# Title\r\n\n- a\tb\x1b[31m\rc\x9b\u202e')).toBe('# Title\n\n- a\tb[31mc');
  });

  it('makes every string and key of plain data safe, deeply, without touching the original', () => {
    const params = { Tags: [{ Key: 'Name\x1b', Value: EVIL }], n: 3, ok: true, none: null, doc: '{\n  "a": "\x9b"\n}' };
    const safe = safeData(params);
    expect(safe).toEqual({ Tags: [{ Key: 'Name', Value: safeBlock(EVIL) }], n: 3, ok: true, none: null, doc: '{\n  "a": ""\n}' });
    expect(params.Tags[0]!.Value).toBe(EVIL);
  });
});

describe('markdown values', () => {
  it('escapes what could add structure: pipes, backticks, HTML, links, emphasis, a leading #', () => {
    expect(mdText('a | b')).toBe('a \\| b');
    expect(mdText('`code`')).toBe('\\`code\\`');
    expect(mdText('<!-- hide the rest')).toBe('\\<!-- hide the rest');
    expect(mdText('[PASS](https://x)')).toBe('\\[PASS\\](https://x)');
    expect(mdText('*bold* _it_')).toBe('\\*bold\\* \\_it\\_');
    expect(mdText('# heading')).toBe('\\# heading');
    expect(mdText('back\\slash')).toBe('back\\\\slash');
    expect(mdText('row\n| PASS | fake |')).toBe('row\\\\n\\| PASS \\| fake \\|');
    expect(mdText(EVIL)).not.toMatch(FORBIDDEN);
  });

  it('fences a code span with more backticks than the value holds', () => {
    expect(mdCode('arn:aws:s3:::bucket')).toBe('`arn:aws:s3:::bucket`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x')).toBe('`` `x ``');
    expect(mdCode('a\x1b[2Kb')).toBe('`a[2Kb`');
  });
});

describe('safeJson', () => {
  it('keeps the raw value for JSON.parse and writes no raw control or bidi character', () => {
    const value = { name: EVIL, nl: 'a\nb', sep: '\u2028', ok: 'Zoë 東京 🚀' };
    const text = safeJson(value);
    expect(text).not.toMatch(FORBIDDEN);
    expect(text).toContain('\\u009b');
    expect(text).toContain('\\u202e');
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain('Zoë 東京 🚀');
  });
});

const target: Target = {
  accountId: '123456789012',
  principalArn: 'arn:aws:iam::123456789012:user/alice',
  isRoot: false,
  sandbox: true,
  endpoint: 'http://127.0.0.1:4566',
  partition: 'aws',
  homeRegion: 'us-east-1',
};
const evilFinding: Finding = {
  status: 'fail',
  resource: `vpc-0abc (${EVIL})`,
  region: 'us-east-1',
  message: `VPC vpc-0abc (${EVIL}) has no flow log.\n| PASS | \`x\` | fake row |`,
  data: { label: EVIL },
};
const evilResult: StepResult = {
  step: 'monitoring.flow-logs',
  area: 'monitoring',
  title: 'Every VPC records its traffic',
  severity: 'medium',
  status: 'fail',
  references: {},
  findings: [evilFinding, { ...evilFinding, status: 'error', message: `AccessDenied: ${EVIL}` }],
};

describe('the check report renders account text safely', () => {
  const report = buildReport({ version: '0.1.0', target, regions: { regions: ['us-east-1'], source: 'flag' }, startedAt: new Date(0), finishedAt: new Date(0), results: [evilResult] });

  it('the table has no control or bidi character and shows the newline escaped', () => {
    const table = renderTable(report, 100);
    expect(table).not.toMatch(FORBIDDEN);
    expect(table).toContain('prod[2K[1A');
    expect(table).toContain('no flow log.\\n|');
  });

  it('the markdown has no control character, and account text adds no row or code span', () => {
    const md = renderMarkdownReport(report);
    expect(md).not.toMatch(FORBIDDEN);
    // Every table row is the header, the rule or one step: no row made by a finding's text.
    expect(md.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(3);
    expect(md).toContain('\\| PASS \\| \\`x\\` \\|');
    expect(md).not.toMatch(/^\| PASS/m);
  });

  it('the JSON report keeps the raw value', () => {
    expect(report.results[0]!.findings[0]!.message).toBe(evilFinding.message);
  });
});

describe('the wizard renders account text safely', () => {
  it('findings table', () => {
    const table = findingsTable(evilResult.findings, 100);
    expect(table).not.toMatch(FORBIDDEN);
    expect(table).toContain('prod[2K[1A');
  });

  it('plan view: summary, parameters, warnings, guidance and cost', () => {
    const meta = {
      id: 'monitoring.flow-logs',
      title: 'Every VPC records its traffic',
      severity: 'medium',
      fix: { kind: 'auto', costScale: 'cents', cost: 'a little', risk: 'none', destructive: false, paid: false },
    } as StepMeta;
    const plan: Plan = {
      actions: [
        {
          service: 'ec2',
          operation: 'CreateFlowLogs',
          region: 'us-east-1',
          params: { ResourceIds: ['vpc-0abc'], Tags: [{ Key: 'Name', Value: EVIL }], Policy: '{"Sid":"\\u001b[2J\\u009b2J\\u202eevil"}' },
          summary: `Turn on flow logs for VPC vpc-0abc (${EVIL})`,
          inverse: { service: 'ec2', operation: 'DeleteFlowLogs', region: 'us-east-1', params: { Name: EVIL }, summary: `Delete ${EVIL}` },
          run: async () => undefined,
        },
      ],
      warnings: [`VPC ${EVIL} keeps its old flow log`],
      guidance: `Do this by hand:\n\n- open ${EVIL}\n`,
      cost: { scale: 'cents', detail: `per VPC ${EVIL}` },
    };
    const view = planView(meta, plan, 100);
    expect(view).not.toMatch(FORBIDDEN);
    expect(view).toContain('PASS all good');
    // The plan the engine applies is not changed.
    expect(plan.actions[0]!.summary).toContain('\x1b[2K');
    expect(safePlan(plan).actions[0]!.run).toBe(plan.actions[0]!.run);
  });

  it('scorecard: terminal and markdown, with a skip reason and an error from the account', () => {
    const card = {
      target,
      results: [evilResult, { ...safeResult(evilResult), step: 'data.in-transit', status: 'error' as const, error: `AccessDenied ${EVIL}` }],
      decisions: { 'monitoring.flow-logs': { status: 'skipped' as const, reason: `handled\n| PASS | ${EVIL}`, at: '2026-11-29T10:00:00Z' } },
      generatedAt: '2026-11-29T10:00:00Z',
    };
    const md = scorecardMarkdown(card);
    expect(md).not.toMatch(FORBIDDEN);
    expect(md).not.toMatch(/^\| PASS/m);
    const screen = scorecardTerminal(card, 100);
    expect(screen).not.toMatch(FORBIDDEN);
  });
});

describe("the wizard's prompts show account text safely", () => {
  it('a note', () => {
    const out = bufferOutput(200);
    new InquirerAsker({ output: out }).note(`Security contact now: ${EVIL}, sec@example.com`);
    expect(out.text()).not.toMatch(FORBIDDEN);
    expect(out.text()).toContain('PASS all good');
  });

  const screenOf = async <V, C>(prompt: (c: C, ctx?: PromptContext) => Promise<V>, config: C) => {
    const { answer, events, getScreen } = await render(prompt, config);
    const raw = getScreen({ raw: true });
    events.keypress('enter');
    return { raw, answer: await answer };
  };

  it('select choices and their message', async () => {
    const { raw, answer } = await screenOf((q: Parameters<InquirerAsker['select']>[0], ctx) => new InquirerAsker({ context: ctx }).select(q), {
      message: `Which VPC? ${EVIL}`,
      choices: [{ value: 'vpc-0abc', name: `vpc-0abc (${EVIL})`, description: EVIL }],
    });
    for (const bad of INJECTED) expect(raw).not.toContain(bad);
    expect(raw).toContain('PASS all good');
    expect(answer).toBe('vpc-0abc');
  });

  it('checkbox choices', async () => {
    const { raw, answer } = await screenOf((q: Parameters<InquirerAsker['checkbox']>[0], ctx) => new InquirerAsker({ context: ctx }).checkbox(q), {
      message: 'Deactivate which keys?',
      choices: [{ value: 'AKIA1', name: `AKIA1 of ${EVIL}`, checked: true }],
    });
    for (const bad of INJECTED) expect(raw).not.toContain(bad);
    expect(answer).toEqual(['AKIA1']);
  });

  it('a text default read from the account, and a validator message that echoes it', async () => {
    const typed = await render((q: Parameters<InquirerAsker['text']>[0], ctx?: PromptContext) => new InquirerAsker({ context: ctx }).text(q), {
      message: 'Security contact email',
      default: `sec@example.com\n${EVIL}`,
      validate: (v: string) => `"${v}" is not an email address`,
    });
    const raw = typed.getScreen({ raw: true });
    for (const bad of INJECTED) expect(raw).not.toContain(bad);
    expect(raw).toContain('sec@example.com\\n');
    typed.events.keypress('enter');
    await typed.nextRender();
    const after = typed.getScreen({ raw: true });
    for (const bad of INJECTED) expect(after).not.toContain(bad);
    typed.events.keypress({ name: 'c', ctrl: true });
    await typed.answer.catch(() => undefined);
  });
});
