import { describe, expect, it } from 'vitest';
import { parseRuleParameters } from '../../lib/config/rule-parameters.js';
import { DEFAULT_RULE_PARAMETERS, type RuleParameters } from '../../lib/types.js';

const PG_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-pg-probe-AbCdEf';
const AURORA_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-probe-XyZ123';

function value(raw: unknown): RuleParameters {
  const result = parseRuleParameters(raw);
  if (!result.ok) throw new Error(`expected ok, got ${result.error.message}`);
  return result.value;
}

function invalidKeys(raw: unknown): string[] {
  const result = parseRuleParameters(raw);
  if (result.ok) throw new Error('expected an error');
  expect(result.error.code).toBe('RULE_PARAMETERS_INVALID');
  return result.error.keys;
}

describe('parseRuleParameters', () => {
  it.each([undefined, null, '', '   ', '{}', {}])('returns the defaults for %j', (raw) => {
    expect(parseRuleParameters(raw)).toEqual({
      ok: true,
      value: DEFAULT_RULE_PARAMETERS,
      warnings: [],
    });
  });

  it('does not share the default secretArns object with callers', () => {
    const parsed = value('{}');
    parsed.secretArns.x = PG_SECRET;
    expect(DEFAULT_RULE_PARAMETERS.secretArns).toEqual({});
  });

  it.each([
    ['TLSv1.2', 'TLSv1.2'],
    ['1.2', 'TLSv1.2'],
    ['tlsv1.3', 'TLSv1.3'],
    [' 1.3 ', 'TLSv1.3'],
    ['TLSv1.1', 'TLSv1.1'],
    ['1.0', 'TLSv1'],
    ['TLSv1', 'TLSv1'],
  ])('reads minTlsVersion %j as %s', (given, expected) => {
    expect(value({ minTlsVersion: given }).minTlsVersion).toBe(expected);
  });

  it.each([['TLSv1.4'], ['SSLv3'], [1.2], [true]])('rejects minTlsVersion %j', (given) => {
    expect(invalidKeys({ minTlsVersion: given })).toEqual(['minTlsVersion']);
  });

  it.each([
    ['30', 30],
    [' 7 ', 7],
    [30, 30],
    [1, 1],
    ['3650', 3650],
  ])('reads caExpiryDays %j as %d', (given, expected) => {
    expect(value({ caExpiryDays: given }).caExpiryDays).toBe(expected);
  });

  it.each([
    [0],
    ['0'],
    [-5],
    ['-5'],
    [3651],
    ['3651'],
    [1.5],
    ['1.5'],
    ['thirty'],
    [true],
    [Number.NaN],
  ])('rejects caExpiryDays %j', (given) => {
    expect(invalidKeys({ caExpiryDays: given })).toEqual(['caExpiryDays']);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['TRUE', true],
    [' False ', false],
    [true, true],
    [false, false],
  ])('reads liveProbe and requireLiveProbe %j as %s', (given, expected) => {
    const parsed = value({ liveProbe: given, requireLiveProbe: given });
    expect(parsed.liveProbe).toBe(expected);
    expect(parsed.requireLiveProbe).toBe(expected);
  });

  it.each([['yes'], ['1'], [1], [0]])('rejects liveProbe %j', (given) => {
    expect(invalidKeys({ liveProbe: given })).toEqual(['liveProbe']);
  });

  it('reads secretTagKey', () => {
    expect(value({ secretTagKey: 'probe-secret' }).secretTagKey).toBe('probe-secret');
  });

  it.each([[5], ['x'.repeat(129)], [{}]])('rejects secretTagKey %j', (given) => {
    expect(invalidKeys({ secretTagKey: given })).toEqual(['secretTagKey']);
  });

  it('reads secretArns from "id=arn,id=arn"', () => {
    expect(
      value({ secretArns: `app-pg=${PG_SECRET}, orders-aurora=${AURORA_SECRET}` }).secretArns,
    ).toEqual({
      'app-pg': PG_SECRET,
      'orders-aurora': AURORA_SECRET,
    });
  });

  it('reads secretArns from a JSON object string, as Config passes it', () => {
    const raw = JSON.stringify({ secretArns: JSON.stringify({ 'app-pg': PG_SECRET }) });
    expect(value(raw).secretArns).toEqual({ 'app-pg': PG_SECRET });
  });

  it('reads secretArns from an object, as the CLI passes it', () => {
    expect(value({ secretArns: { 'orders-aurora': AURORA_SECRET } }).secretArns).toEqual({
      'orders-aurora': AURORA_SECRET,
    });
  });

  it.each([
    ['no equals sign', `app-pg:${PG_SECRET}`],
    ['not an ARN', 'app-pg=my-secret-name'],
    ['an ARN of another service', 'app-pg=arn:aws:s3:::bucket'],
    ['an empty identifier', `=${PG_SECRET}`],
    ['a repeated identifier', `app-pg=${PG_SECRET},app-pg=${AURORA_SECRET}`],
    ['broken JSON', '{"app-pg":'],
    ['a JSON array', '["x"]'],
    ['a number', 5],
    ['an object with a non-string ARN', { 'app-pg': 5 }],
  ])('rejects secretArns given %s', (_label, given) => {
    expect(invalidKeys({ secretArns: given })).toEqual(['secretArns']);
  });

  it('parses the Config form where every value is a string', () => {
    const raw = JSON.stringify({
      minTlsVersion: '1.3',
      caExpiryDays: '60',
      requireLiveProbe: 'true',
      liveProbe: 'false',
      secretTagKey: 'db-probe-secret',
      secretArns: `app-pg=${PG_SECRET}`,
      mysqlPlaintextLogin: 'true',
      acceptNativeNetworkEncryption: 'true',
    });
    expect(parseRuleParameters(raw)).toEqual({
      ok: true,
      value: {
        minTlsVersion: 'TLSv1.3',
        caExpiryDays: 60,
        requireLiveProbe: true,
        liveProbe: false,
        secretTagKey: 'db-probe-secret',
        secretArns: { 'app-pg': PG_SECRET },
        mysqlPlaintextLogin: true,
        acceptNativeNetworkEncryption: true,
      },
      warnings: [],
    });
  });

  it('rejects a mysqlPlaintextLogin that is not true or false', () => {
    const parsed = parseRuleParameters({ mysqlPlaintextLogin: 'yes' });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.error.keys).toEqual(['mysqlPlaintextLogin']);
  });

  it('treats an empty string value as not set', () => {
    expect(value({ caExpiryDays: '', minTlsVersion: '  ' })).toEqual(DEFAULT_RULE_PARAMETERS);
  });

  it('ignores unknown keys and reports each as a warning', () => {
    expect(parseRuleParameters({ caExpiryDays: '10', minTLS: '1.2', 'bad\nkey': 'x' })).toEqual({
      ok: true,
      value: { ...DEFAULT_RULE_PARAMETERS, caExpiryDays: 10 },
      warnings: [
        'unknown rule parameter "minTLS" ignored',
        'unknown rule parameter "bad?key" ignored',
      ],
    });
  });

  it('names every invalid key in one error, without echoing the values', () => {
    const result = parseRuleParameters({ caExpiryDays: 'SENTINEL-1', liveProbe: 'SENTINEL-2' });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'RULE_PARAMETERS_INVALID',
        message:
          'invalid rule parameters: caExpiryDays: expected a whole number of days from 1 to 3650; liveProbe: expected true or false',
        keys: ['caExpiryDays', 'liveProbe'],
      },
    });
  });

  it('reports RULE_PARAMETERS_NOT_JSON for a string that is not JSON', () => {
    expect(parseRuleParameters('minTlsVersion=1.2')).toEqual({
      ok: false,
      error: {
        code: 'RULE_PARAMETERS_NOT_JSON',
        message: 'ruleParameters is not valid JSON',
        keys: [],
      },
    });
  });

  it.each([['[1]'], ['"text"'], ['7'], [[]], [42]])(
    'reports RULE_PARAMETERS_INVALID for %j',
    (raw) => {
      expect(parseRuleParameters(raw)).toEqual({
        ok: false,
        error: {
          code: 'RULE_PARAMETERS_INVALID',
          message: 'ruleParameters is not a JSON object',
          keys: [],
        },
      });
    },
  );

  it('ignores inherited keys such as __proto__ tricks', () => {
    const parsed = parseRuleParameters('{"__proto__":{"liveProbe":false},"constructor":"x"}');
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.value.liveProbe).toBe(true);
      expect(parsed.warnings).toEqual([
        'unknown rule parameter "__proto__" ignored',
        'unknown rule parameter "constructor" ignored',
      ]);
    }
  });
});
