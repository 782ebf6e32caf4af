/**
 * File order for the run: longest first, so that the workers finish together instead of one of
 * them starting a two-minute e2e file while the other has nothing left to do.
 *
 * vitest's own order uses the durations of the previous run when its cache has them, and else runs
 * larger files first; CI starts from `npm ci`, with no cache, and file size says little here (a
 * short e2e file that seeds the sandbox outlasts a long table of unit cases). So each file's weight
 * is its duration from the cache when known, else an estimate: the measured wall time of the
 * slowest files (CI, 2 workers), else a typical time for its kind (e2e, sandbox, unit).
 */
import { relative } from 'node:path';
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

/** Seconds, from a CI run on 2 cores; only the order they give matters. */
const MEASURED: Record<string, number> = {
  'test/e2e/answers-file.test.ts': 129,
  'test/e2e/cli-sandbox.test.ts': 128,
  'test/e2e/cli-batch.test.ts': 123,
  'test/e2e/wizard-pty.test.ts': 100,
  'test/e2e/classroom.test.ts': 73,
  'test/e2e/wizard-loop.test.ts': 70,
  // From a run under load, scaled down: only their order against the others matters.
  'test/sandbox/steps-regions.test.ts': 150,
  'test/sandbox/steps-admin-identity.test.ts': 90,
  'test/sandbox/undo-registry.test.ts': 80,
  'test/e2e/wizard-startup-pty.test.ts': 80,
  'test/sandbox/steps-backups.test.ts': 75,
};

/** Seconds a file of this kind typically takes when nothing better is known. */
function typical(file: string): number {
  if (file.startsWith('test/e2e/')) return 40;
  if (file.startsWith('test/sandbox/')) return 15;
  return 2;
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // The base order first (projects, groups, cached failures), then by weight: the sort is stable.
    const base = await super.sort(files);
    const root = this.ctx.config.root;
    const weight = (spec: TestSpecification): number => {
      const file = relative(root, spec.moduleId).split('\\').join('/');
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`);
      if (cached && !cached.failed && cached.duration > 0) return cached.duration / 1000;
      return MEASURED[file] ?? typical(file);
    };
    const weights = new Map(base.map((spec) => [spec, weight(spec)]));
    return [...base].sort((a, b) => weights.get(b)! - weights.get(a)!);
  }
}
