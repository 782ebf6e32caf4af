import type { ClientFactory } from '../aws/factory.js';
import type { ClientClass, SdkClient, StepContext, Target } from './types.js';

/** The context every step receives: target, one client factory, shared reads, the run's regions. */
export class RunContext implements StepContext {
  private readonly memo = new Map<string, Promise<unknown>>();
  private regionList: Promise<string[]> | undefined;
  private lastChange: Date | undefined;

  constructor(
    readonly target: Target,
    readonly factory: ClientFactory,
    private readonly resolveRegions: () => Promise<string[]>,
  ) {}

  client<C extends SdkClient>(cls: ClientClass<C>, region?: string): C {
    return this.factory.client(cls, region);
  }

  regions(): Promise<string[]> {
    this.regionList ??= this.resolveRegions();
    return this.regionList;
  }

  /** The run's regions from now on (a choice made in account.regions). */
  setRegions(regions: string[]): void {
    this.regionList = Promise.resolve([...regions]);
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
