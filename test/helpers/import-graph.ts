/**
 * The project's own import graph, read from the source with the TypeScript parser: every static
 * import, `import type`, `export … from`, dynamic `import('…')` and `import('…')` type, each
 * resolved to the file it names (`./x.js` → `./x.ts`). Package imports are left out: only the
 * project's files are nodes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** The specifier as written. */
  specifier: string;
  /** Repository-relative path of the file it resolves to (forward slashes). */
  to: string;
  /** Written as `import type`/`export type`, or an `import('…')` in a type position. */
  typeOnly: boolean;
  dynamic: boolean;
}

/** File (repository-relative, forward slashes) → its imports of other project files. */
export type ImportGraph = Map<string, ImportEdge[]>;

const posix = (p: string) => p.split(sep).join('/');

/** Every .ts file below `dirs` (repository-relative), declaration files aside. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(posix(relative(root, full)));
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out.sort();
}

/** The specifiers a file names, with how it names them. */
export function importsOf(fileName: string, text: string): { specifier: string; typeOnly: boolean; dynamic: boolean }[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: { specifier: string; typeOnly: boolean; dynamic: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      // `import type { A }`, or `import { type A, type B }` with nothing but types.
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named?.length && named.every((e) => e.isTypeOnly)));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly, dynamic: false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly, dynamic: false });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly, dynamic: false });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) found.push({ specifier: arg.text, typeOnly: false, dynamic: true });
      else throw new Error(`${fileName}: a dynamic import whose target is not a string literal cannot be checked: ${node.getText(sf)}`);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The project file a relative specifier names, or undefined for a package (or a file that does not exist). */
export function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(root, dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base];
  const hit = candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
  if (!hit) throw new Error(`${from}: cannot resolve "${specifier}" to a .ts file of the project`);
  return posix(relative(root, hit));
}

export function buildImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(root, dirs)) {
    const edges: ImportEdge[] = [];
    for (const i of importsOf(file, readFileSync(join(root, file), 'utf8'))) {
      const to = resolveSpecifier(root, file, i.specifier);
      if (to) edges.push({ ...i, to });
    }
    graph.set(file, edges);
  }
  return graph;
}

/**
 * The import cycles of a graph, one per strongly connected component (Tarjan), each named as a
 * path that returns to its start: `a.ts → b.ts → a.ts`. Empty when the graph has none.
 */
export function findCycles(graph: ReadonlyMap<string, readonly { to: string }[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const targets = (n: string) => [...new Set((graph.get(n) ?? []).map((e) => e.to))];

  const strongConnect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of targets(v)) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || targets(v).includes(v)) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strongConnect(v);

  // Name each component by one concrete cycle through it: a shortest path back to its first file.
  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0]!;
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of targets(v).filter((t) => members.has(t))) {
        if (w === start) {
          const path = [v];
          while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
          return [...path, start];
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
}
