/**
 * The resources area's text as a person meets it, across its steps: commands that still run when
 * copied from a wrapped terminal (80 and 100 columns), and one way of writing costs. Found by
 * walking the wizard in a terminal; backups (another engineer's step) is left out.
 */
import { readFile } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/wizard/lesson.js';
import { setColor } from '../../src/wizard/theme.js';
import { registry } from '../../steps/index.js';
import { guidance as connectGuidance } from '../../steps/resources/ec2-instance-connect/index.js';
import { SSM_CHOICE_DESCRIPTION } from '../../steps/resources/ec2-instance-roles/index.js';
import { guidanceFor as runtimesGuidance } from '../../steps/resources/lambda-runtimes/index.js';
import { encryptionGuidance } from '../../steps/resources/rds-hardening/encryption.js';
import type { HardeningData } from '../../steps/resources/rds-hardening/judge.js';

beforeEach(() => setColor(false));

/**
 * The code of rendered markdown as a shell reads it: lines ending in ` \` joined with the next,
 * indentation dropped; `isCode` tells where a command or comment starts.
 */
function shellLines(rendered: string, isCode: (line: string) => boolean): string[] {
  const out: string[] = [];
  let cur = '';
  for (const raw of rendered.split('\n')) {
    if (!cur && !isCode(raw)) continue;
    const l = raw.trim();
    cur = cur ? `${cur} ${l}` : l;
    if (cur.endsWith(' \\')) {
      cur = cur.slice(0, -2);
      continue;
    }
    out.push(cur);
    cur = '';
  }
  return out;
}

const sourceLines = (md: string) =>
  md
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('aws ') || l.startsWith('# '));

const db = (over: Partial<HardeningData>): HardeningData => ({
  kind: 'instance',
  id: 'orders-db',
  region: 'eu-west-1',
  label: 'orders-db (postgres)',
  engine: 'postgres',
  setting: 'encryption',
  subnetGroup: 'orders-subnets',
  securityGroups: ['sg-0123456789abcdef0', 'sg-0fedcba9876543210'],
  instanceClass: 'db.t3.micro',
  ...over,
});

describe('commands in the resources guidance can be copied from a terminal of any width', () => {
  for (const columns of [80, 100]) {
    it(`rds-hardening's encryption commands, at ${columns} columns: every line is a whole command or a comment`, () => {
      const md = encryptionGuidance([db({}), db({ kind: 'cluster', id: 'orders-cl', label: 'orders-cl (aurora-postgresql)', engine: 'aurora-postgresql' })]);
      // In a shell, `<x>` is a redirection: placeholders must not use angle brackets.
      expect(md).not.toMatch(/<[a-z]+>/);
      const rendered = renderMarkdown(md, columns);
      const isCode = (l: string) => /^\s+(aws |# )/.test(l);
      const lines = shellLines(rendered, isCode);
      // Before this, a wrapped comment left "own works too):" on a line of its own, and the restore
      // command lost its ` \` at 80 columns: pasted, either ran as a broken command.
      for (const l of lines) expect(l, l).toMatch(/^(aws |# )/);
      expect(lines).toEqual(sourceLines(md));
      for (const l of rendered.split('\n')) expect(l.length, l).toBeLessThanOrEqual(columns);
    });

    it(`ec2-instance-connect's and lambda-runtimes' commands, at ${columns} columns`, () => {
      const exposed = [
        {
          region: 'eu-west-1',
          instanceId: 'i-0123456789abcdef0',
          label: 'i-0123456789abcdef0 (web-server-with-a-long-name)',
          vpcId: 'vpc-1',
          windows: false,
          ports: [{ port: 22, cidr: '::/0', groupId: 'sg-0123456789abcdef0' }],
          endpointsReadable: true,
          subnets: [],
        },
      ];
      const mds = [
        connectGuidance(exposed, new Set()),
        runtimesGuidance([{ name: 'nightly-report-generator', region: 'ap-southeast-2', runtime: 'python3.9', deprecated: '2025-12-15', moveTo: 'python3.14', ended: true }]),
      ];
      for (const md of mds) {
        const lines = shellLines(renderMarkdown(md, columns), (l) => /^\s+aws /.test(l));
        expect(lines.length).toBeGreaterThan(0);
        expect(lines).toEqual(sourceLines(md).filter((l) => l.startsWith('aws ')));
      }
    });
  }
});

describe('the resources steps write their costs one way', () => {
  it('the cost text starts with its scale, in lower case, as the engine prints it after "Cost:"', () => {
    const steps = registry.filter((e) => e.meta.area === 'resources' && e.meta.id !== 'resources.backups');
    expect(steps).toHaveLength(10);
    for (const { meta } of steps) expect(meta.fix.cost, meta.id).toMatch(/^(free|cents|dollars)\b/);
  });
});

describe('the area overview (lessons/resources/README.md)', () => {
  it('lists every resources step in the order the wizard takes them, and counts every guided one as guided', async () => {
    const md = await readFile(new URL('../../lessons/resources/README.md', import.meta.url), 'utf8');
    const area = registry.filter((e) => e.meta.area === 'resources');
    expect([...md.matchAll(/^\| `(resources\.[a-z0-9-]+)` \|/gm)].map((m) => m[1])).toEqual(area.map((e) => e.meta.id));
    // It named two guided steps of four: instance roles and database encryption are guided too.
    const guided = /Guided steps \(([^)]*)\)/.exec(md.replace(/\s+/g, ' '))![1]!;
    expect(guided.split(/, /)).toHaveLength(area.filter((e) => e.meta.fix.kind === 'guided').length);
    expect(md).toMatch(/`resources\.rds-hardening` \| [^|]*minor upgrades/);
  });
});

describe('prompt text the wizard prints without wrapping', () => {
  it("a choice's description fits an 80-column terminal (the instance-roles one broke mid-word: 'pa|tching')", () => {
    expect(SSM_CHOICE_DESCRIPTION.length).toBeLessThanOrEqual(78);
  });
});
