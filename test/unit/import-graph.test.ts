/**
 * The import rules of ARCHITECTURE.md hold, and keep holding: imports run one way
 * (cli → wizard → engine → steps → step kit → aws), with no circle anywhere in src/ and steps/
 * (type-only and dynamic imports included), and a step takes from the engine only the step kit.
 * The graph is read from the source with the TypeScript parser (test/helpers/import-graph.ts).
 * Last, the lint rule that guards the circles (`import-x/no-cycle` in eslint.config.js) is shown to
 * catch one: two files that import each other, written under test/.tmp-cycle-* (ignored by git).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import type { Linter } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImportGraph, findCycles, importsOf } from '../helpers/import-graph.js';
import type { ImportEdge } from '../helpers/import-graph.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const graph = buildImportGraph(ROOT, ['src', 'steps']);
const AREAS = ['account', 'infrastructure', 'resources', 'data', 'monitoring'];

/** `steps/<area>/…` → area; the registry files at the top of steps/ have none. */
const areaOf = (file: string) => /^steps\/([^/]+)\//.exec(file)?.[1];

describe('the import graph of src/ and steps/', () => {
  it('is read from every source file, dynamic and type-only imports included', () => {
    expect(graph.size).toBeGreaterThan(100);
    const edges = [...graph.values()].flat();
    expect(edges.some((e) => e.dynamic)).toBe(true);
    expect(edges.some((e) => e.typeOnly)).toBe(true);
    // The registry loads every step lazily: those dynamic imports are edges too.
    expect((graph.get('steps/index.ts') ?? []).filter((e) => e.dynamic).length).toBeGreaterThan(10);
  });

  it('has no cycle, type-only imports included', () => {
    const cycles = findCycles(graph).map((c) => c.join(' → '));
    expect(cycles, 'import cycles').toEqual([]);
  });

  it('steps import from the engine only the step kit, and nothing from the cli, wizard, progress, sandbox, or another area', () => {
    const problems: string[] = [];
    for (const [file, edges] of graph) {
      const area = areaOf(file);
      if (!area) continue;
      for (const e of edges) problems.push(...stepImportProblems(file, area, e));
    }
    expect(problems).toEqual([]);
  });

  it('every step file belongs to a known area', () => {
    const unknown = [...graph.keys()].map(areaOf).filter((a): a is string => !!a && !AREAS.includes(a));
    expect([...new Set(unknown)]).toEqual([]);
  });
});

function stepImportProblems(file: string, area: string, e: ImportEdge): string[] {
  const to = e.to;
  const says = `${file} imports ${to} ("${e.specifier}")`;
  if (to.startsWith('src/engine/') && to !== 'src/engine/step-kit.ts') return [`${says}: steps take the engine only through src/engine/step-kit.ts`];
  if (/^src\/(cli|wizard|progress|sandbox)\//.test(to)) return [`${says}: steps never reach the cli, wizard, progress or sandbox`];
  if (/^src\/[^/]+\.ts$/.test(to)) return [`${says}: steps do not import the files at the top of src/`];
  if (/^steps\/[^/]+\.ts$/.test(to)) return [`${says}: steps never import the registry`];
  const toArea = areaOf(to);
  if (toArea && toArea !== area) return [`${says}: areas share nothing with each other`];
  if (toArea === area) {
    // Within the area: the step's own folder, or the area's _shared.
    const own = /^steps\/[^/]+\/([^/]+)\//.exec(file)?.[1];
    const target = /^steps\/[^/]+\/([^/]+)\//.exec(to)?.[1];
    if (target !== '_shared' && target !== own) return [`${says}: a step shares code with its area only through _shared`];
  }
  return [];
}

describe('the import-graph reader (pure logic)', () => {
  it('finds every kind of import: static, type-only, re-export, dynamic, import type', () => {
    const found = importsOf(
      'x.ts',
      [
        "import a from './a.js';",
        "import type { B } from './b.js';",
        "import { type C } from './c.js';",
        "export { d } from './d.js';",
        "export type * from './e.js';",
        "const f = await import('./f.js');",
        "let g: import('./g.js').G;",
        "import 'side-effect';",
      ].join('\n'),
    );
    expect(found).toEqual([
      { specifier: './a.js', typeOnly: false, dynamic: false },
      { specifier: './b.js', typeOnly: true, dynamic: false },
      { specifier: './c.js', typeOnly: true, dynamic: false },
      { specifier: './d.js', typeOnly: false, dynamic: false },
      { specifier: './e.js', typeOnly: true, dynamic: false },
      { specifier: './f.js', typeOnly: false, dynamic: true },
      { specifier: './g.js', typeOnly: true, dynamic: true },
      { specifier: 'side-effect', typeOnly: false, dynamic: false },
    ]);
  });

  it('refuses a dynamic import it cannot follow, rather than missing an edge', () => {
    expect(() => importsOf('x.ts', 'const m = await import(`./${name}.js`);')).toThrow(/not a string literal/);
  });

  it('names a cycle as the path that closes it, and only files on a cycle', () => {
    const g = new Map([
      ['a.ts', [{ to: 'b.ts' }]],
      ['b.ts', [{ to: 'c.ts' }, { to: 'd.ts' }]],
      ['c.ts', [{ to: 'a.ts' }]],
      ['d.ts', []],
      ['e.ts', [{ to: 'e.ts' }]],
      ['f.ts', [{ to: 'a.ts' }]],
    ]);
    expect(findCycles(g)).toEqual([
      ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
      ['e.ts', 'e.ts'],
    ]);
    expect(findCycles(new Map([['a.ts', [{ to: 'b.ts' }]], ['b.ts', []]]))).toEqual([]);
  });
});

describe('the lint rule that keeps the graph free of cycles', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('is on for src/ and steps/, and reports two files that import each other', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    for (const file of ['src/engine/runner.ts', 'steps/monitoring/flow-logs/index.ts']) {
      const rule = ((await eslint.calculateConfigForFile(join(ROOT, file))) as Linter.Config).rules?.['import-x/no-cycle'];
      expect([rule].flat()[0], `import-x/no-cycle for ${file}`).toBeOneOf([2, 'error']);
    }

    const config = ((await import(pathToFileURL(join(ROOT, 'eslint.config.js')).href)) as { default: Linter.Config[] }).default;
    const block = config.find((c) => c.rules?.['import-x/no-cycle']);
    expect(block, 'eslint.config.js has an import-x/no-cycle block').toBeDefined();
    expect(block!.files).toEqual(expect.arrayContaining(['src/**/*.ts', 'steps/**/*.ts']));

    const dir = mkdtempSync(join(ROOT, 'test', '.tmp-cycle-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n");
    writeFileSync(join(dir, 'b.ts'), "import { a } from './a.js';\nexport const b = (): number => 1;\nexport const c = (): number => a();\n");

    // The project's own block, applied to the temporary folder as it is to src/ and steps/.
    const linter = new ESLint({ cwd: ROOT, overrideConfig: [{ ...block!, files: [`${relative(ROOT, dir)}/**/*.ts`] }] });
    const results = await linter.lintFiles([join(dir, 'a.ts'), join(dir, 'b.ts')]);
    const cycles = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'import-x/no-cycle').map((m) => `${relative(dir, r.filePath)}: ${m.message}`));
    expect(cycles.sort()).toEqual([expect.stringMatching(/^a\.ts: Dependency cycle/), expect.stringMatching(/^b\.ts: Dependency cycle/)]);
  }, 20_000);
});
