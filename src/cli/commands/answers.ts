import { answersTemplate } from '../../engine/answers.js';
import { UserError } from '../../engine/errors.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { invokedAs } from '../../engine/invocation.js';

export async function run(opts: GlobalOptions): Promise<number> {
  if (!opts.template) throw new UserError('Nothing to do.', `Use \`${invokedAs()} answers --template > answers.json\`, edit it, then \`${invokedAs()} fix --yes --answers answers.json\`.`);
  const template = {
    $comment: 'Inputs for `secure-start fix --yes --answers FILE`, keyed by step id. Remove the steps you do not want to answer.',
    ...(await answersTemplate(selectSteps(opts))),
  };
  process.stdout.write(JSON.stringify(template, null, 2) + '\n');
  return 0;
}
