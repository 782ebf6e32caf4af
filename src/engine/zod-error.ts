import type { z } from 'zod';

/** The first three problems of a schema error, each with the path it concerns. Part of the step kit. */
export function formatZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(value)'}: ${i.message}`)
    .join('; ');
}
