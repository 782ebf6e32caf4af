/**
 * Lambda's managed runtimes and the day each one is (or was) deprecated: after that day AWS no
 * longer patches it, and some time later blocks creating and then updating functions on it.
 * One list, in one place; update it (and `READ_ON`) from the source page when AWS announces dates.
 *
 * Source: the AWS Lambda runtimes page (`SOURCE`), "Supported runtimes" and "Deprecated runtimes"
 * tables, read on `READ_ON` through stored copies: the page's own text, the AWS Health notices
 * for provided.al2 (ends 2026-07-31) and python3.10 (ends 2026-10-31), and the dates as compiled
 * from that page in 2026 (cfn-lint's lifecycle data, PR 4532: "java11, java17, java8.al2,
 * python3.11 got a full year extension"; date tables fetched from the page in August 2026).
 * AWS calls future dates projections, subject to change.
 *
 * Amazon Linux 2 reached end of life on 2026-06-30; AWS keeps patching the runtimes built on it
 * (java8.al2, java11, java17, python3.10, python3.11) until their own dates below, and since July
 * 2026 offers java8.al2023, java11.al2023 and java17.al2023: the same Java on Amazon Linux 2023,
 * the smallest move for those functions.
 */

export const SOURCE = 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html';
export const READ_ON = '2026-12-05';

export interface RuntimeEntry {
  /** Runtime identifier, as ListFunctions reports it. */
  id: string;
  /** The name people use. */
  name: string;
  /** Deprecation date (UTC, YYYY-MM-DD): from this day the runtime is no longer supported. */
  deprecated: string;
  /**
   * The runtime to move to: the same language version on Amazon Linux 2023 where AWS offers one
   * (java8.al2 → java8.al2023), else the newest runtime of the language when the list was read.
   */
  moveTo: string;
}

const entry = (id: string, name: string, deprecated: string, moveTo: string): RuntimeEntry => ({ id, name, deprecated, moveTo });

export const RUNTIMES: readonly RuntimeEntry[] = [
  // Node.js
  entry('nodejs24.x', 'Node.js 24', '2028-04-30', 'nodejs24.x'),
  entry('nodejs22.x', 'Node.js 22', '2027-04-30', 'nodejs24.x'),
  entry('nodejs20.x', 'Node.js 20', '2026-04-30', 'nodejs24.x'),
  entry('nodejs18.x', 'Node.js 18', '2025-09-01', 'nodejs24.x'),
  entry('nodejs16.x', 'Node.js 16', '2024-06-12', 'nodejs24.x'),
  entry('nodejs14.x', 'Node.js 14', '2023-12-04', 'nodejs24.x'),
  entry('nodejs12.x', 'Node.js 12', '2023-03-31', 'nodejs24.x'),
  entry('nodejs10.x', 'Node.js 10', '2021-07-30', 'nodejs24.x'),
  entry('nodejs8.10', 'Node.js 8.10', '2020-03-06', 'nodejs24.x'),
  entry('nodejs6.10', 'Node.js 6.10', '2019-08-12', 'nodejs24.x'),
  entry('nodejs4.3-edge', 'Node.js 4.3 edge', '2020-03-05', 'nodejs24.x'),
  entry('nodejs4.3', 'Node.js 4.3', '2020-03-05', 'nodejs24.x'),
  entry('nodejs', 'Node.js 0.10', '2016-10-31', 'nodejs24.x'),
  // Python (3.10 and 3.11 run on Amazon Linux 2)
  entry('python3.14', 'Python 3.14', '2029-06-30', 'python3.14'),
  entry('python3.13', 'Python 3.13', '2029-06-30', 'python3.14'),
  entry('python3.12', 'Python 3.12', '2028-10-31', 'python3.14'),
  entry('python3.11', 'Python 3.11 (Amazon Linux 2)', '2027-06-30', 'python3.14'),
  entry('python3.10', 'Python 3.10 (Amazon Linux 2)', '2026-10-31', 'python3.14'),
  entry('python3.9', 'Python 3.9 (Amazon Linux 2)', '2025-12-15', 'python3.14'),
  entry('python3.8', 'Python 3.8', '2024-10-14', 'python3.14'),
  entry('python3.7', 'Python 3.7', '2023-12-04', 'python3.14'),
  entry('python3.6', 'Python 3.6', '2022-07-18', 'python3.14'),
  entry('python2.7', 'Python 2.7', '2021-07-15', 'python3.14'),
  // Java
  entry('java25', 'Java 25', '2029-06-30', 'java25'),
  entry('java21', 'Java 21', '2029-06-30', 'java25'),
  entry('java17.al2023', 'Java 17 (Amazon Linux 2023)', '2029-06-30', 'java25'),
  entry('java11.al2023', 'Java 11 (Amazon Linux 2023)', '2029-06-30', 'java25'),
  entry('java8.al2023', 'Java 8 (Amazon Linux 2023)', '2029-06-30', 'java25'),
  entry('java17', 'Java 17 (Amazon Linux 2)', '2027-06-30', 'java17.al2023'),
  entry('java11', 'Java 11 (Amazon Linux 2)', '2027-06-30', 'java11.al2023'),
  entry('java8.al2', 'Java 8 (Amazon Linux 2)', '2027-06-30', 'java8.al2023'),
  entry('java8', 'Java 8 (Amazon Linux 1)', '2024-01-08', 'java8.al2023'),
  // .NET (dotnet9 is offered for container images only)
  entry('dotnet10', '.NET 10', '2028-11-14', 'dotnet10'),
  entry('dotnet9', '.NET 9', '2026-11-10', 'dotnet10'),
  entry('dotnet8', '.NET 8', '2026-11-10', 'dotnet10'),
  entry('dotnet7', '.NET 7', '2024-05-14', 'dotnet10'),
  entry('dotnet6', '.NET 6', '2024-12-20', 'dotnet10'),
  entry('dotnet5.0', '.NET 5', '2022-05-10', 'dotnet10'),
  entry('dotnetcore3.1', '.NET Core 3.1', '2023-04-03', 'dotnet10'),
  entry('dotnetcore2.1', '.NET Core 2.1', '2022-01-05', 'dotnet10'),
  entry('dotnetcore2.0', '.NET Core 2.0', '2019-05-30', 'dotnet10'),
  entry('dotnetcore1.0', '.NET Core 1.0', '2019-06-27', 'dotnet10'),
  // Ruby
  entry('ruby4.0', 'Ruby 4.0', '2029-03-31', 'ruby4.0'),
  entry('ruby3.4', 'Ruby 3.4', '2028-03-31', 'ruby4.0'),
  entry('ruby3.3', 'Ruby 3.3', '2027-03-31', 'ruby4.0'),
  entry('ruby3.2', 'Ruby 3.2', '2026-03-31', 'ruby4.0'),
  entry('ruby2.7', 'Ruby 2.7', '2023-12-07', 'ruby4.0'),
  entry('ruby2.5', 'Ruby 2.5', '2021-07-30', 'ruby4.0'),
  // OS-only runtimes (Go, Rust and custom runtimes)
  entry('provided.al2023', 'OS-only runtime (Amazon Linux 2023)', '2029-06-30', 'provided.al2023'),
  entry('provided.al2', 'OS-only runtime (Amazon Linux 2)', '2026-07-31', 'provided.al2023'),
  entry('provided', 'OS-only runtime (Amazon Linux 1)', '2024-01-08', 'provided.al2023'),
  entry('go1.x', 'Go 1.x', '2024-01-08', 'provided.al2023'),
];

/** How far ahead an announced deprecation is worth an advice: the time a migration usually takes. */
export const SOON_DAYS = 180;

export type RuntimeVerdict =
  | { state: 'deprecated'; entry: RuntimeEntry }
  | { state: 'soon'; entry: RuntimeEntry; days: number }
  | { state: 'supported'; entry: RuntimeEntry }
  | { state: 'unknown' };

const DAY = 86_400_000;

/** Where `runtime` stands on `today` (pure). */
export function runtimeVerdict(runtime: string, today: Date, list: readonly RuntimeEntry[] = RUNTIMES): RuntimeVerdict {
  const e = list.find((r) => r.id === runtime);
  if (!e) return { state: 'unknown' };
  const until = Date.parse(`${e.deprecated}T00:00:00Z`) - today.getTime();
  if (until <= 0) return { state: 'deprecated', entry: e };
  if (until <= SOON_DAYS * DAY) return { state: 'soon', entry: e, days: Math.ceil(until / DAY) };
  return { state: 'supported', entry: e };
}
