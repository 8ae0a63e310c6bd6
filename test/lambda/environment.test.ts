import { describe, expect, it } from 'vitest';
import { readFunctionEnvironment } from '../../lib/lambda/environment.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';

describe('readFunctionEnvironment', () => {
  it('reads the rule parameters the template sets', () => {
    const env = readFunctionEnvironment({
      MIN_TLS_VERSION: 'TLSv1.3',
      CA_EXPIRY_DAYS: '45',
      REQUIRE_LIVE_PROBE: 'true',
    });
    expect(env.ruleParameters.ok && env.ruleParameters.value).toEqual({
      ...DEFAULT_RULE_PARAMETERS,
      minTlsVersion: 'TLSv1.3',
      caExpiryDays: 45,
      requireLiveProbe: true,
    });
  });

  it('reads the opt-in MYSQL_PLAINTEXT_LOGIN, off when unset', () => {
    const on = readFunctionEnvironment({ MYSQL_PLAINTEXT_LOGIN: 'true' }).ruleParameters;
    expect(on.ok && on.value.mysqlPlaintextLogin).toBe(true);
    const unset = readFunctionEnvironment({}).ruleParameters;
    expect(unset.ok && unset.value.mysqlPlaintextLogin).toBe(false);
  });

  it('keeps an invalid rule parameter as a named error instead of failing at init', () => {
    const parsed = readFunctionEnvironment({ CA_EXPIRY_DAYS: 'soon' }).ruleParameters;
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.keys).toEqual(['caExpiryDays']);
  });

  it('reads the probe queue’s maximum receive count, which tells the worker a delivery is the last', () => {
    expect(readFunctionEnvironment({ PROBE_MAX_RECEIVE_COUNT: '3' }).probeMaxReceiveCount).toEqual({
      ok: true,
      value: 3,
    });
    // Unset: no delivery is known to be the last, so no batch is given up early.
    expect(readFunctionEnvironment({}).probeMaxReceiveCount).toEqual({
      ok: true,
      value: undefined,
    });
    expect(readFunctionEnvironment({ PROBE_MAX_RECEIVE_COUNT: ' ' }).probeMaxReceiveCount).toEqual({
      ok: true,
      value: undefined,
    });
  });

  it.each(['three', '0', '1001', '2.5', '-3', '0x3', '1e1'])(
    'keeps PROBE_MAX_RECEIVE_COUNT=%s as a named error instead of failing at init',
    (value) => {
      expect(
        readFunctionEnvironment({ PROBE_MAX_RECEIVE_COUNT: value }).probeMaxReceiveCount,
      ).toEqual({
        ok: false,
        error: {
          code: 'PROBE_MAX_RECEIVE_COUNT_INVALID',
          message:
            'PROBE_MAX_RECEIVE_COUNT must be a whole number from 1 to 1000 (the queue’s maxReceiveCount)',
        },
      });
    },
  );

  it('scans the listed regions, or the own region when none is listed', () => {
    expect(
      readFunctionEnvironment({ AWS_REGION: 'x', SCAN_REGIONS: 'eu-west-1, us-east-1,eu-west-1' })
        .scanRegions,
    ).toEqual(['eu-west-1', 'us-east-1']);
    expect(
      readFunctionEnvironment({ AWS_REGION: 'eu-central-1', SCAN_REGIONS: '' }).scanRegions,
    ).toEqual(['eu-central-1']);
  });

  it('turns switches on only for the exact text true, and reads blank values as unset', () => {
    const env = readFunctionEnvironment({
      USE_IAM_AUTH: 'TRUE',
      SECURITY_HUB_FINDINGS: 'true',
      REPORTS_BUCKET: '  ',
      QUEUE_URL: ' https://sqs.eu-west-1.amazonaws.com/111111111111/probe ',
    });
    expect(env).toMatchObject({
      region: 'us-east-1',
      useIamAuth: false,
      securityHubFindings: true,
      reportsBucket: undefined,
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/probe',
    });
  });
});
