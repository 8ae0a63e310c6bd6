/**
 * Values made once per key and reused for the process: an SDK client per
 * region, or per account and region, a prober per account. Creating them
 * again per call would throw away their connection pools and credentials.
 */
export function oncePerKey<A extends unknown[], T>(
  keyOf: (...args: A) => string,
  create: (...args: A) => T,
): (...args: A) => T {
  const made = new Map<string, T>();
  return (...args) => {
    const key = keyOf(...args);
    let value = made.get(key);
    if (value === undefined) {
      value = create(...args);
      made.set(key, value);
    }
    return value;
  };
}
