/**
 * Machine codes (reasons, failure codes, parameter names) are `as const`
 * lists, one per module; the union type and its guard come from the list so
 * that the two cannot drift apart. An expected failure carrying one of them
 * is a `CodedError` (lib/errors.ts).
 */

/** A guard for the list's union: true when `value` is one of `list`. */
export function memberOf<const L extends readonly string[]>(
  list: L,
): (value: string) => value is L[number] {
  const members: readonly string[] = list;
  return (value): value is L[number] => members.includes(value);
}
