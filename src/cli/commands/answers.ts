import { answersTemplate } from '../../engine/answers.js';
import { UserError } from '../../engine/errors.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { invokedAs } from '../../engine/invocation.js';

export async function run(opts: GlobalOptions): Promise<number> {
  if (!opts.template) throw new UserError('Nothing to do.', `Use \`${invokedAs()} answers --template > answers.json\`, edit it, then \`${invokedAs()} fix --yes --answers answers.json\`.`);
  const template = {
    $comment:
      'Inputs for `secure-start fix --yes --answers FILE`, keyed by step id; entries for steps a run does not select are ignored. ' +
      'Blank values ("" or []) are not answers: fill them in, or that step is not applied. ' +
      'A fix that adds a running cost or removes or disables something runs under --yes only with "apply": true in its entry.',
    ...(await answersTemplate(selectSteps(opts))),
  };
  process.stdout.write(JSON.stringify(template, null, 2) + '\n');
  return 0;
}
