import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, normaliseArgv, reportError } from '../../src/cli/main.js';
import { selectSteps, targetOf } from '../../src/cli/options.js';
import { resumeCommand } from '../../src/cli/commands/wizard.js';
import { UserError } from '../../src/engine/errors.js';
import { parseRegions } from '../../src/engine/session.js';
import type { ClientFactory } from '../../src/aws/factory.js';
import { EmptyRegionsError, REGION_SOURCES, RunContext } from '../../src/engine/context.js';
import { registry } from '../../steps/index.js';

/** Parses argv without running any command: every action is replaced by a recorder. */
function parse(argv: string[]): { command: string; opts: Record<string, unknown>; args: string[] } {
  const program = buildProgram();
  let seen: { command: string; opts: Record<string, unknown>; args: string[] } | undefined;
  const capture = (name: string) => (...a: unknown[]) => {
    const cmd = a[a.length - 1] as Command;
    seen = { command: name, opts: cmd.optsWithGlobals(), args: a.slice(0, -2).filter((x): x is string => typeof x === 'string') };
  };
  program.action(capture('wizard'));
  for (const c of program.commands) {
    c.action(capture(c.name()));
    for (const s of c.commands) s.action(capture(`${c.name()} ${s.name()}`));
  }
  const quiet = { writeErr: () => undefined, writeOut: () => undefined };
  program.configureOutput(quiet);
  for (const c of program.commands) {
    c.configureOutput(quiet);
    for (const s of c.commands) s.configureOutput(quiet);
  }
  program.parse(normaliseArgv(argv), { from: 'user' });
  return seen!;
}

describe('command line', () => {
  it('runs the wizard with no command', () => {
    expect(parse([]).command).toBe('wizard');
  });

  it('--sandbox alone means auto, before or after the command', () => {
    expect(parse(['--sandbox']).opts.sandbox).toBe('auto');
    expect(parse(['--sandbox', 'check']).command).toBe('check');
    expect(parse(['--sandbox', 'check']).opts.sandbox).toBe('auto');
    expect(parse(['check', '--sandbox']).opts.sandbox).toBe('auto');
  });

  it('--sandbox takes a provider or URL', () => {
    expect(parse(['check', '--sandbox=moto']).opts.sandbox).toBe('moto');
    expect(parse(['check', '--sandbox', 'localstack']).opts.sandbox).toBe('localstack');
    expect(parse(['check', '--sandbox=http://127.0.0.1:5000']).opts.sandbox).toBe('http://127.0.0.1:5000');
  });

  it('collects repeatable --step and --area', () => {
    const p = parse(['check', '--step', 'account.password-policy', '--step', 'account.security-contacts', '--area', 'account']);
    expect(p.opts.step).toEqual(['account.password-policy', 'account.security-contacts']);
    expect(p.opts.area).toEqual(['account']);
  });

  it('check formats are limited to table, json and markdown', () => {
    expect(parse(['check', '--format', 'json']).opts.format).toBe('json');
    expect(parse(['check']).opts.format).toBe('table');
    expect(() => parse(['check', '--format', 'yaml'])).toThrow(CommanderError);
  });

  it('fix takes --yes and --answers', () => {
    const p = parse(['fix', '--yes', '--answers', 'a.json']);
    expect(p).toMatchObject({ command: 'fix', opts: { yes: true, answers: 'a.json' } });
  });

  it('lessons takes an optional step or area', () => {
    expect(parse(['lessons', 'account.password-policy']).args).toEqual(['account.password-policy']);
  });

  it('sandbox sub-commands', () => {
    expect(parse(['sandbox', 'start', '--provider', 'moto']).command).toBe('sandbox start');
    expect(parse(['sandbox', 'seed', '--scenario', 'day-one']).opts.scenario).toBe('day-one');
    expect(parse(['sandbox', 'stop']).command).toBe('sandbox stop');
  });

  it('unknown flags and commands are errors that exit 2', () => {
    for (const argv of [['--bogus'], ['check', '--nope'], ['policy', '--for', 'everything']]) {
      let err: unknown;
      try {
        parse(argv);
      } catch (e) {
        err = e;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(CommanderError);
      expect(reportError(err, false)).toBe(2);
    }
  });

  it('--help and --version exit 0', () => {
    for (const argv of [['--help'], ['--version'], ['check', '--help']]) {
      let err: unknown;
      try {
        parse(argv);
      } catch (e) {
        err = e;
      }
      expect(reportError(err, false)).toBe(0);
    }
  });

  it('maps flags to the target options', () => {
    expect(targetOf({ profile: 'p', region: 'eu-west-1', endpointUrl: 'http://x', sandbox: 'moto', regions: 'us-east-1,eu-west-1' })).toEqual({
      profile: 'p',
      region: 'eu-west-1',
      endpointUrl: 'http://x',
      sandbox: 'moto',
      regions: ['us-east-1,eu-west-1'],
    });
  });
});

describe('step selection', () => {
  it('selects everything in catalogue order by default', () => {
    expect(selectSteps({}).map((e) => e.meta.id)).toEqual(registry.map((e) => e.meta.id));
  });
  it('selects by step and by area, keeping catalogue order', () => {
    const ids = selectSteps({ step: ['account.security-contacts', 'account.password-policy'] }).map((e) => e.meta.id);
    expect(ids).toEqual(['account.password-policy', 'account.security-contacts']);
    expect(selectSteps({ area: ['account'] }).every((e) => e.meta.area === 'account')).toBe(true);
  });
  it('an unknown step id is a user error with a suggestion', () => {
    expect(() => selectSteps({ step: ['account.password'] })).toThrow(UserError);
    try {
      selectSteps({ step: ['password-policy'] });
    } catch (e) {
      expect((e as UserError).hint).toContain('account.password-policy');
    }
  });
  it('an unknown area is a user error', () => {
    expect(() => selectSteps({ area: ['network'] })).toThrow(/Unknown area "network"/);
  });
});

describe('regions flag', () => {
  it('splits, trims and de-duplicates', () => {
    expect(parseRegions(['us-east-1, eu-west-1,us-east-1'])).toEqual(['us-east-1', 'eu-west-1']);
  });
  it('refuses what is not a region name', () => {
    expect(() => parseRegions(['us-east-1,moon-1'])).toThrow(/Not a region name: moon-1/);
  });
  it('refuses a list that names no region (exit 2), and "" is such a list, not "all regions"', () => {
    for (const given of [',', ' ', '', ' , ,']) {
      expect(() => parseRegions([given])).toThrow(EmptyRegionsError);
      expect(targetOf({ regions: given }).regions).toEqual([given]);
    }
    expect(new EmptyRegionsError('flag').exitCode).toBe(2);
    expect(targetOf({}).regions).toBeUndefined();
  });
});

describe('the run context refuses an empty region list', () => {
  const target = { accountId: '123456789012', principalArn: 'arn:aws:iam::123456789012:user/a', isRoot: false, sandbox: true, partition: 'aws', homeRegion: 'us-east-1' };
  const factory = {} as ClientFactory;
  it('from any source, so that a step never loops over nothing and passes', async () => {
    for (const source of REGION_SOURCES) {
      const ctx = new RunContext(target, factory, async () => ({ regions: [], source }));
      await expect(ctx.regions()).rejects.toBeInstanceOf(EmptyRegionsError);
    }
    await expect(new RunContext(target, factory, async () => []).regions()).rejects.toThrow(/no region/);
    const chosen = new RunContext(target, factory, async () => ['us-east-1']);
    chosen.setRegions([]);
    await expect(chosen.regions()).rejects.toBeInstanceOf(EmptyRegionsError);
  });
  it('keeps the list and its source', async () => {
    const ctx = new RunContext(target, factory, async () => ({ regions: ['eu-west-1'], source: 'enabled-regions' }));
    await expect(ctx.regionInfo()).resolves.toEqual({ regions: ['eu-west-1'], source: 'enabled-regions' });
    ctx.setRegions(['us-east-1'], '/tmp/p.json');
    await expect(ctx.regionInfo()).resolves.toEqual({ regions: ['us-east-1'], source: 'progress-file', file: '/tmp/p.json' });
  });
});

describe('resume command', () => {
  it('repeats the arguments, through npm when run by npm start', () => {
    const before = process.env.npm_lifecycle_event;
    process.env.npm_lifecycle_event = 'start';
    expect(resumeCommand(['--sandbox'])).toBe('npm start -- --sandbox');
    delete process.env.npm_lifecycle_event;
    expect(resumeCommand(['--sandbox', '--progress', 'p.json'])).toBe('secure-start --sandbox --progress p.json');
    // Accepted the sandbox when asked (no credentials): the command to resume names it.
    expect(resumeCommand([], { sandbox: true })).toBe('secure-start --sandbox');
    expect(resumeCommand(['--sandbox=moto'], { sandbox: true })).toBe('secure-start --sandbox=moto');
    if (before !== undefined) process.env.npm_lifecycle_event = before;
  });
});

describe('resume command after --redo', () => {
  it('resumes where the run stopped, not from the first step again', () => {
    const before = process.env.npm_lifecycle_event;
    delete process.env.npm_lifecycle_event;
    expect(resumeCommand(['--redo', '--step', 'account.groups-only', '--sandbox'])).toBe('secure-start --step account.groups-only --sandbox');
    if (before !== undefined) process.env.npm_lifecycle_event = before;
  });
});
