import type { ClientFactory } from '../aws/factory.js';
import { UserError } from './errors.js';
import type { ClientClass, SdkClient, StepContext, Target } from './types.js';

/**
 * Where the run's regions came from (ARCHITECTURE.md: every report says so):
 * - `flag`: `--regions`;
 * - `progress-file`: the regions chosen in account.regions, recorded in the progress file;
 * - `enabled-regions`: every region enabled for the account (ec2:DescribeRegions);
 * - `sandbox`: the sandbox's home region;
 * - `home-region`: no regional step was selected; global calls go to the home region.
 */
export const REGION_SOURCES = ['flag', 'progress-file', 'enabled-regions', 'sandbox', 'home-region'] as const;
export type RegionsSource = (typeof REGION_SOURCES)[number];

export interface RunRegions {
  regions: string[];
  source: RegionsSource;
  /** The progress file the regions were read from (source `progress-file`), when known. */
  file?: string;
}

/** Words for a person: where the list came from. */
export function describeRegionsSource(r: Pick<RunRegions, 'source' | 'file'>): string {
  switch (r.source) {
    case 'flag':
      return 'from --regions';
    case 'progress-file':
      return `recorded in the progress file${r.file ? ` ${r.file}` : ''}, chosen in account.regions`;
    case 'enabled-regions':
      return "the account's enabled regions";
    case 'sandbox':
      return "the sandbox's home region";
    case 'home-region':
      return 'home region only: no regional step selected';
  }
}

/** A run whose region list is empty checks nothing in any region: it is refused (exit 2), never a pass. */
export class EmptyRegionsError extends UserError {
  readonly source: RegionsSource;
  constructor(source: RegionsSource, file?: string) {
    const where: Record<RegionsSource, string> = {
      flag: '--regions names no region',
      'progress-file': `The progress file${file ? ` ${file}` : ''} records no region for regional steps (target.regions is empty)`,
      'enabled-regions': 'The account reports no enabled region',
      sandbox: 'The sandbox has no home region',
      'home-region': 'There is no home region',
    };
    super(
      `${where[source]}: a run with no region would check nothing in any region, so it was not started.`,
      source === 'progress-file'
        ? 'Pass --regions r1,r2 for this run, or choose the regions again (secure-start --step account.regions).'
        : 'Name the regions to check, e.g. --regions us-east-1,eu-west-1.',
    );
    this.name = 'EmptyRegionsError';
    this.source = source;
  }
}

async function nonEmpty(p: Promise<string[] | RunRegions>): Promise<RunRegions> {
  const r = await p;
  const info: RunRegions = Array.isArray(r) ? { regions: [...r], source: 'flag' } : r;
  if (!info.regions.length) throw new EmptyRegionsError(info.source, info.file);
  return info;
}

/** The context every step receives: target, one client factory, shared reads, the run's regions. */
export class RunContext implements StepContext {
  private readonly memo = new Map<string, Promise<unknown>>();
  private regionList: Promise<RunRegions> | undefined;
  private lastChange: Date | undefined;

  /** `resolveRegions` may give the bare list (tests, benchmarks): its source is then `flag`. */
  constructor(
    readonly target: Target,
    readonly factory: ClientFactory,
    private readonly resolveRegions: () => Promise<string[] | RunRegions>,
  ) {}

  client<C extends SdkClient>(cls: ClientClass<C>, region?: string): C {
    return this.factory.client(cls, region);
  }

  /** The run's regions and where they came from; rejects with EmptyRegionsError when there are none. */
  regionInfo(): Promise<RunRegions> {
    this.regionList ??= nonEmpty(this.resolveRegions());
    return this.regionList;
  }

  regions(): Promise<string[]> {
    return this.regionInfo().then((r) => r.regions);
  }

  /** The run's regions from now on (a choice made in account.regions, saved in the progress file). */
  setRegions(regions: string[], file?: string): void {
    this.regionList = nonEmpty(Promise.resolve({ regions: [...regions], source: 'progress-file', ...(file ? { file } : {}) }));
  }

  shared<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      // A failed load is not cached: the next step may try again (and report its own error).
      p.catch(() => this.memo.delete(key));
      this.memo.set(key, p);
    }
    return p;
  }

  /** Forget shared reads (the account may hold something else now). */
  invalidate(): void {
    this.memo.clear();
  }

  /**
   * The account has changed in this run (a fix was applied, or the person says they changed it by
   * hand): every shared read is dropped, and a bulk read made before now (the credential report,
   * which IAM renews at most every four hours) is known to be older than the change.
   */
  accountChanged(at: Date = new Date()): void {
    this.invalidate();
    this.lastChange = at;
  }

  /** When the account last changed in this run, if it did (see accountChanged). */
  changedAt(): Date | undefined {
    return this.lastChange;
  }
}
