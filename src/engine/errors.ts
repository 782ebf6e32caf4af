/**
 * A problem the person can fix (bad flag, bad answers file, no credentials…): the CLI prints the
 * message and hint without a stack trace and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
