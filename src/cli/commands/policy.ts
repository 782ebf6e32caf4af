import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';

/** The least-privilege policy for the selected steps, from their declared permissions. Offline. */
export function buildPolicy(entries: ReturnType<typeof selectSteps>, mode: 'check' | 'fix') {
  const actions = new Set<string>();
  for (const e of entries) {
    for (const a of e.meta.permissions.check) actions.add(a);
    if (mode === 'fix') for (const a of e.meta.permissions.fix) actions.add(a);
  }
  // Regional steps list the account's regions when none were chosen.
  if (entries.some((e) => e.meta.scope === 'regional')) actions.add('ec2:DescribeRegions');
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: mode === 'check' ? 'SecureStartCheck' : 'SecureStartCheckAndFix',
        Effect: 'Allow',
        Action: [...actions].sort(),
        Resource: '*',
      },
    ],
  };
}

export async function run(opts: GlobalOptions): Promise<number> {
  const mode = opts.for === 'fix' ? 'fix' : 'check';
  process.stdout.write(JSON.stringify(buildPolicy(selectSteps(opts), mode), null, 2) + '\n');
  return 0;
}
