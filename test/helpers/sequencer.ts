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

/** Seconds, from a clean-clone CI run on 2 cores (the files of 10 s or more); only the order they give matters. */
const MEASURED: Record<string, number> = {
  'test/e2e/cli-sandbox.test.ts': 107,
  'test/e2e/answers-file.test.ts': 90,
  'test/e2e/wizard-pty.test.ts': 67,
  'test/e2e/classroom.test.ts': 63,
  'test/e2e/cli-batch.test.ts': 57,
  'test/sandbox/steps-regions.test.ts': 49,
  'test/e2e/wizard-startup-pty.test.ts': 40,
  'test/e2e/resources-area.test.ts': 31,
  'test/e2e/undo.test.ts': 50,
  'test/e2e/wizard-loop.test.ts': 31,
  'test/e2e/monitoring-area.test.ts': 30,
  'test/e2e/infrastructure-area.test.ts': 30,
  'test/e2e/data-area.test.ts': 29,
  'test/e2e/cli-access-denied.test.ts': 22,
  'test/e2e/safe-output.test.ts': 21,
  'test/e2e/cli-regions.test.ts': 19,
  'test/e2e/account-area.test.ts': 19,
  'test/sandbox/undo-registry.test.ts': 17,
  'test/e2e/cli-endpoints.test.ts': 17,
  'test/sandbox/plan-text.test.ts': 14,
  'test/sandbox/challenge-hints.test.ts': 12,
  'test/sandbox/steps-config-recorder.test.ts': 12,
  'test/sandbox/permissions.test.ts': 11,
  'test/sandbox/sandbox-moto.test.ts': 11,
  'test/sandbox/steps-alerts.test.ts': 11,
};

/** Seconds a file of this kind typically takes when nothing better is known. */
function typical(file: string): number {
  if (file.startsWith('test/e2e/')) return 9;
  if (file.startsWith('test/sandbox/')) return 4;
  return 0.1;
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
