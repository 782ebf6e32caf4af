/** The command line's exit codes (ARCHITECTURE.md, "Exit codes"). */
export const EXIT = { ok: 0, failed: 1, cannotStart: 2, notChecked: 3, interrupted: 130 } as const;
