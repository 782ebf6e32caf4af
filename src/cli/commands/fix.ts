import type { Answers } from '../../engine/answers.js';
import { loadAnswers } from '../../engine/answers.js';
import { UserError } from '../../engine/errors.js';
import { resolveInputs } from '../../engine/inputs.js';
import type { StepResult } from '../../engine/result.js';
import { applyAction, checkStep, planStep, resultFor } from '../../engine/runner.js';
import { exitCodeFor } from '../../engine/status.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { openProgress } from '../progress.js';
import { info, startSession } from '../session.js';
import { wantsFix } from './plan.js';

export async function run(opts: GlobalOptions): Promise<number> {
  if (!opts.yes) {
    if (!process.stdin.isTTY || !process.stdout.isTTY)
      throw new UserError('fix needs a terminal to ask before it changes anything, or --yes.', 'Use `secure-start fix --yes --answers FILE` in scripts (see `secure-start answers --template`).');
    const wizard = await import('./wizard.js');
    return wizard.run({ ...opts, lessons: false });
  }
  const entries = selectSteps(opts);
  const answers: Answers = opts.answers ? await loadAnswers(opts.answers, entries) : {};
  const session = await startSession(opts);
  const progress = await openProgress(opts, session);
  const { runTaskList } = await import('../../wizard/tasks.js');
  const results: StepResult[] = [];
  try {
    // Catalogue order, each step checked again just before its plan: earlier fixes change the account.
    for (const entry of entries) {
      const id = entry.meta.id;
      const checked = await checkStep(entry, session.ctx);
      if (!wantsFix(checked.result.status, id in answers)) {
        results.push(checked.result);
        info(`${checked.result.status.toUpperCase().padEnd(11)} ${id}${checked.result.status === 'pass' ? '' : ' (nothing to apply)'}`);
        if (checked.result.status === 'pass') progress.recordStep(id, { status: 'pass' });
        continue;
      }
      const inputs = resolveInputs(checked.step, checked.result.findings, answers[id]);
      if (!inputs.ok) {
        const message = `Not applied: ${inputs.message}`;
        results.push(resultFor(entry, [...checked.result.findings, { status: 'fail', resource: id, region: 'global', message }], 'fail'));
        info(`FAIL        ${id}: ${message}`);
        continue;
      }
      const plan = await planStep(checked, session.ctx, inputs.inputs);
      let failed: string | undefined;
      const secrets: { label: string; value: string }[] = [];
      const ok = await runTaskList(
        plan.actions.map((action) => ({
          title: `${id}: ${action.summary}`,
          run: async () => {
            const { entry: journal, outcome } = await applyAction(id, action, session.ctx);
            progress.recordAction(journal);
            await progress.save();
            if (outcome?.secrets) secrets.push(...outcome.secrets);
            if (journal.result === 'failed') {
              failed = journal.error;
              throw new Error(journal.error);
            }
          },
        })),
        { renderer: process.stdout.isTTY ? 'default' : 'simple', exitOnError: true },
      );
      if (secrets.length) {
        // One-time secrets go to a person's screen only, never to a log.
        if (process.stdout.isTTY) {
          const { secretsView } = await import('../../wizard/render.js');
          process.stdout.write(secretsView(secrets) + '\n');
        } else info(`${id}: ${secrets.length} one-time secret(s) were generated and not shown (no terminal); reset them in the console.`);
      }
      const after = await checkStep(entry, session.ctx);
      const result = ok.ok ? after.result : resultFor(entry, [...after.result.findings, { status: 'fail', resource: id, region: 'global', message: `Fix failed: ${failed ?? ok.error}` }], 'fail');
      results.push(result);
      progress.recordStep(id, {
        status: result.status === 'pass' ? 'fixed' : result.status,
        ...(inputs.inputs !== undefined ? { inputs: inputs.inputs as Record<string, unknown> } : {}),
      });
      await progress.save();
      info(`${(result.status === 'pass' ? 'FIXED' : result.status.toUpperCase()).padEnd(11)} ${id}`);
    }
    return exitCodeFor(results);
  } finally {
    await progress.save().catch(() => undefined);
    await progress.close();
    await session.close();
  }
}
