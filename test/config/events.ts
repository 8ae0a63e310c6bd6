import { readFileSync } from 'node:fs';

/** A sample event from events/, as Config would deliver it. */
export function loadEvent(name: string): Record<string, unknown> {
  const url = new URL(`../../events/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}
