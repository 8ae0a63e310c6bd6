/**
 * Usage errors: a flag, a value or a region the command does not accept.
 * They print as one line that names the mistake and points at --help, and
 * end with exit code 64, so a CI job can tell a broken invocation from a
 * failed scan.
 */

/** Thrown (or returned) for input the user can fix by changing the command line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `rds-tls-guard: <what is wrong> (see --help)`, on one line whatever commander wrote. */
export function usageLine(message: string): string {
  const text = message
    .replace(/^error:\s*/i, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return `rds-tls-guard: ${text} (see --help)`;
}
