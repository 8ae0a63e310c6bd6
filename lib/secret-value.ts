import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A password or IAM token. It prints as `[redacted]` through every path a
 * value can reach a log (string conversion, JSON, util.inspect), so a
 * credential that ends up in an error or a logged object shows nothing.
 * Only a driver's connect options may call `reveal()`.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
