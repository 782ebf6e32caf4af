/**
 * The registry is complete (ARCHITECTURE.md, "A step"): every step has its folder, lesson,
 * permissions, references, fix notes and sandbox test, and the registry follows the guide's order.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AREAS, COST_SCALES } from '../../src/engine/types.js';
import { lessonsDir, packageRoot } from '../../src/paths.js';
import { registry } from '../../steps/index.js';
import type { StepEntry } from '../../steps/index.js';

const root = packageRoot();

/** The catalogue's ids in order, from the design notes beside the repository (absent in a bare clone). */
const stepsMd = join(root, '..', 'shared', 'design', 'STEPS.md');
const catalogue = existsSync(stepsMd)
  ? [...readFileSync(stepsMd, 'utf8').matchAll(/^\|\s*([a-z]+\.[a-z0-9-]+)\s*\|/gm)].map((m) => m[1]!)
  : undefined;

const PERMISSION = /^[a-z0-9-]+:[A-Z][A-Za-z0-9]*$/;

function nameOf(entry: StepEntry): string {
  return entry.meta.id.slice(entry.meta.area.length + 1);
}

describe('the registry', () => {
  it('has steps, each id once', () => {
    const ids = registry.map((e) => e.meta.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is in guide order: areas as in the guide, steps within an area as in STEPS.md', () => {
    const rank = (e: StepEntry) => [AREAS.indexOf(e.meta.area), catalogue ? catalogue.indexOf(e.meta.id) : 0] as const;
    const sorted = [...registry].sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1]);
    expect(registry.map((e) => e.meta.id)).toEqual(sorted.map((e) => e.meta.id));
  });

  it('has an area lesson for every area it uses', () => {
    for (const area of new Set(registry.map((e) => e.meta.area))) {
      const file = join(lessonsDir(), area, 'README.md');
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8').trim()).not.toBe('');
    }
  });
});

describe.each(registry.map((e) => [e.meta.id, e] as const))('%s', (id, entry) => {
  const m = entry.meta;
  const folder = join(root, 'steps', m.area, nameOf(entry));

  it('has an id <area>.<name> that names its folder', () => {
    expect(id).toMatch(/^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(id.startsWith(`${m.area}.`)).toBe(true);
    expect(AREAS).toContain(m.area);
    expect(existsSync(join(folder, 'meta.ts')), `${folder}/meta.ts`).toBe(true);
    expect(existsSync(join(folder, 'index.ts')), `${folder}/index.ts`).toBe(true);
  });

  it.skipIf(!catalogue)('appears in the catalogue (STEPS.md)', () => {
    expect(catalogue).toContain(id);
  });

  it('keeps meta.ts plain data, so start-up loads no SDK: type imports, or data modules that import nothing', () => {
    const source = readFileSync(join(folder, 'meta.ts'), 'utf8');
    expect(source).not.toMatch(/@aws-sdk\//);
    for (const m of source.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)) {
      const spec = m[1]!;
      expect(spec, 'a value import in meta.ts is a relative path to a data module').toMatch(/^\.\.?\//);
      const data = readFileSync(join(folder, spec.replace(/\.js$/, '.ts')), 'utf8');
      expect(data, `${spec} imports nothing`).not.toMatch(/^\s*(import|export\s[^;]*\sfrom)\s/m);
    }
  });

  it('loads a step whose meta is the registry’s', async () => {
    const step = await entry.load();
    expect(step.meta).toBe(m);
    expect(typeof step.check).toBe('function');
    expect(typeof step.plan).toBe('function');
  });

  it('has a non-empty lesson at lessons/<area>/<name>.md', () => {
    expect(m.lesson).toBe(`${m.area}/${nameOf(entry)}.md`);
    const file = join(lessonsDir(), m.lesson);
    expect(existsSync(file), file).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).not.toBe('');
  });

  it('declares the IAM actions it calls as service:Action', () => {
    expect(m.permissions.check.length).toBeGreaterThan(0);
    for (const p of [...m.permissions.check, ...m.permissions.fix]) expect(p).toMatch(PERMISSION);
    if (m.fix.kind === 'auto') expect(m.permissions.fix.length).toBeGreaterThan(0);
  });

  it('has references (CIS, FSBP or AWS docs)', () => {
    const { cis = [], fsbp = [], docs = [] } = m.references;
    expect(cis.length + fsbp.length + docs.length).toBeGreaterThan(0);
    for (const d of docs) expect(d).toMatch(/^https:\/\//);
  });

  it('has a title that states the secure condition (not "Ensure …")', () => {
    expect(m.title.trim()).not.toBe('');
    expect(m.title).not.toMatch(/^ensure\b/i);
  });

  it('names the cost and the risk of its fix', () => {
    expect(m.fix.cost.trim()).not.toBe('');
    expect(m.fix.risk.trim()).not.toBe('');
  });

  it('names its monthly cost as an order of magnitude, and a fix that costs something is marked paid', () => {
    expect(COST_SCALES).toContain(m.fix.costScale);
    expect(m.fix.paid, `costScale ${m.fix.costScale}`).toBe(m.fix.costScale !== 'free');
  });

  it('has a sandbox test test/sandbox/steps-<name>.test.ts', () => {
    const file = join(root, 'test', 'sandbox', `steps-${nameOf(entry)}.test.ts`);
    expect(existsSync(file), file).toBe(true);
  });
});
