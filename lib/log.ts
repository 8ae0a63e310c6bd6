/**
 * The one logging contract of lib/: a message and structured fields.
 * Powertools' Logger fits it (lib/observability adapts it for the handlers)
 * and tests pass plain objects, so no lib/ module depends on Powertools.
 */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  debug?(message: string, fields?: Record<string, unknown>): void;
}
