import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfigEvent } from '../../lib/config/event.js';
import { parseRuleParameters } from '../../lib/config/rule-parameters.js';
import { loadEvent } from './events.js';

const MAX_MESSAGE = 400;

describe('parsing arbitrary input', () => {
  it('parseConfigEvent returns a result with a short message for any value', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const result = parseConfigEvent(input);
        if (!result.ok) expect(result.error.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
      }),
    );
  });

  it('parseConfigEvent handles any invokingEvent and ruleParameters text in a valid envelope', () => {
    const base = loadEvent('config-scheduled.json');
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.json()),
        fc.option(fc.oneof(fc.string(), fc.json()), { nil: undefined }),
        (invokingEvent, ruleParameters) => {
          const result = parseConfigEvent({ ...base, invokingEvent, ruleParameters });
          if (!result.ok) {
            expect(result.error.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
            expect(result.envelope?.configRuleName).toBe('rds-tls-only');
          }
        },
      ),
    );
  });

  it('parseRuleParameters either yields valid parameters or names keys that were given', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (raw) => {
        const result = parseRuleParameters(raw);
        if (result.ok) {
          expect(Number.isInteger(result.value.caExpiryDays)).toBe(true);
          expect(result.value.caExpiryDays).toBeGreaterThanOrEqual(1);
          expect(result.value.caExpiryDays).toBeLessThanOrEqual(3650);
          expect(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']).toContain(result.value.minTlsVersion);
        } else {
          expect(result.error.code).toBe('RULE_PARAMETERS_INVALID');
          for (const key of result.error.keys) expect(Object.keys(raw)).toContain(key);
        }
      }),
    );
  });
});
