/**
 * A sandbox problem the person can act on: `message` says what went wrong in one or two lines,
 * `hint` says what to do about it. The CLI prints both and exits 2.
 */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  readonly hint: string | undefined;

  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.hint = hint;
  }
}

/** A short, single-line description of an unknown error, for messages. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.length > 300 ? line.slice(0, 297) + '...' : line;
}
