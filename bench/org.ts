/**
 * Benchmark of `check --org` (not part of npm test):
 *
 *   node --import tsx bench/org.ts
 *   BENCH_ACCOUNTS=50 BENCH_STEPS=account.password-policy,data.s3-encryption node --import tsx bench/org.ts
 *
 * On a private moto_server: an organization with BENCH_ACCOUNTS member accounts (default 50), then
 * the org fan-out (the code behind `check --org`) over 10, 25 and all of them at concurrency 4, and
 * over all of them at concurrency 1, 4 and 8. Reported per run: accounts, concurrency, requests by
 * operation and wall time. The requests follow the accounts; the time should follow accounts
 * divided by the concurrency (until the emulator, one process, is the limit).
 */
import { performance } from 'node:perf_hooks';
import { checkAccounts } from '../src/engine/org-check.js';
import { listOrgAccounts, pickAccounts } from '../src/engine/org.js';
import { createLearnerAccount, ensureOrganization } from '../src/sandbox/classroom.js';
import { startMoto } from '../src/sandbox/moto.js';
import { registry } from '../steps/index.js';
import { requestTotal, tally } from './cli-run.js';
import { BENCH_ACCOUNT, benchContext } from './context.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 50);
const STEPS = (process.env.BENCH_STEPS ?? 'account.password-policy,account.security-contacts,data.s3-encryption').split(',');

async function main(): Promise<void> {
  const entries = registry.filter((e) => STEPS.includes(e.meta.id));
  if (entries.length !== STEPS.length) throw new Error(`unknown step in BENCH_STEPS: ${STEPS.join(', ')}`);
  const moto = await startMoto({ env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'false' } });
  try {
    const setup = benchContext(moto.endpoint, () => undefined);
    setup.factory.readOnly = false;
    const t0 = performance.now();
    await ensureOrganization(setup.factory);
    for (let i = 1; i <= ACCOUNTS; i++) await createLearnerAccount(setup.factory, `member-${String(i).padStart(2, '0')}`);
    setup.factory.destroy();
    console.log(`moto ${moto.endpoint}: an organization with ${ACCOUNTS} member accounts made in ${((performance.now() - t0) / 1000).toFixed(1)} s; steps: ${STEPS.join(', ')}`);

    const all = pickAccounts(await listOrgAccounts(benchContext(moto.endpoint, () => undefined).factory)).accounts.filter((a) => a.id !== BENCH_ACCOUNT);
    const runs: Array<[number, number]> = [
      [Math.min(10, all.length), 4],
      [Math.min(25, all.length), 4],
      [all.length, 4],
      [all.length, 1],
      [all.length, 8],
    ];
    // A warm-up over two accounts first: the steps' modules and SDK clients load once, outside the timings.
    {
      const warm = benchContext(moto.endpoint, () => undefined);
      await checkAccounts({ factory: warm.factory, caller: warm.target, version: 'bench', entries, accounts: all.slice(0, 2), regions: { regions: ['us-east-1'], source: 'sandbox' } });
      warm.factory.destroy();
    }
    console.log('accounts  concurrency  requests  AssumeRole  wall (s)  ms per account');
    for (const [n, concurrency] of runs) {
      const requests = new Map<string, number>();
      const ctx = benchContext(moto.endpoint, (service, operation) => tally(requests, `${service}:${operation}`));
      const t = performance.now();
      const report = await checkAccounts({
        factory: ctx.factory,
        caller: ctx.target,
        version: 'bench',
        entries,
        accounts: all.slice(0, n),
        regions: { regions: ['us-east-1'], source: 'sandbox' },
        concurrency,
      });
      const wall = (performance.now() - t) / 1000;
      ctx.factory.destroy();
      const errors = report.accounts.filter((a) => a.status === 'error').length;
      if (errors) console.log(`  ${errors} account(s) could not be checked: ${report.accounts.find((a) => a.error)?.error}`);
      const total = requestTotal(requests);
      console.log(
        `${String(n).padStart(8)}  ${String(concurrency).padStart(11)}  ${String(total).padStart(8)}  ${String(requests.get('STS:AssumeRole') ?? 0).padStart(10)}  ${wall.toFixed(2).padStart(8)}  ${((wall * 1000) / n).toFixed(0).padStart(14)}`,
      );
    }
  } finally {
    await moto.stop();
  }
}

await main();
