import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecretValue } from '../../lib/secret-value.js';
import {
  checkSecretTarget,
  classifyLookupError,
  type DatabaseSecret,
  parseSecretString,
  regionOfArn,
} from '../../lib/secrets/index.js';
import { CANARY, cluster, instance, secretArn } from './sample-resources.js';

const ARN = secretArn('orders-db-probe');

function parsed(text: string): DatabaseSecret {
  const result = parseSecretString(ARN, text);
  if (result.kind !== 'secret') throw new Error(`expected a secret, got ${result.reason}`);
  return result;
}

describe('parseSecretString', () => {
  it('reads an RDS-managed master secret (username and password only)', () => {
    const secret = parsed(JSON.stringify({ username: 'postgres', password: CANARY }));
    expect(secret.username).toBe('postgres');
    expect(secret.password.reveal()).toBe(CANARY);
    expect(secret.database).toBeUndefined();
    expect(secret.dbInstanceIdentifier).toBeUndefined();
    expect(secret.dbClusterIdentifier).toBeUndefined();
  });

  it('reads a rotation-style secret, taking dbname as the database and the identifiers it names', () => {
    const secret = parsed(
      JSON.stringify({
        engine: 'postgres',
        host: 'orders-db.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
        port: 5432,
        username: 'app',
        password: CANARY,
        dbname: 'orders',
        dbInstanceIdentifier: 'orders-db',
        dbClusterIdentifier: 'orders-cluster',
      }),
    );
    expect(secret).toMatchObject({
      username: 'app',
      database: 'orders',
      dbInstanceIdentifier: 'orders-db',
      dbClusterIdentifier: 'orders-cluster',
    });
    expect(secret.password).toBeInstanceOf(SecretValue);
  });

  it('accepts a port stored as a string, as some hand-made secrets do', () => {
    const secret = parsed(JSON.stringify({ username: 'app', password: CANARY, port: '5432' }));
    expect(secret.username).toBe('app');
  });

  it.each([
    ['a bare password', CANARY],
    ['truncated JSON ending inside the password', `{"username":"app","password":"${CANARY}`],
    ['JSON with a bad token after the password', `{"username":"app","password":"${CANARY}" x}`],
    ['single-quoted pseudo JSON', `{'username':'app','password':'${CANARY}'}`],
    ['an empty string', ''],
  ])('reports %s as SECRET_NOT_JSON without quoting it', (_label, text) => {
    const result = parseSecretString(ARN, text);
    expect(result).toEqual({
      kind: 'failure',
      reason: 'SECRET_NOT_JSON',
      message: `secret ${ARN} is not JSON`,
    });
  });

  it.each([
    ['a JSON string', JSON.stringify(CANARY)],
    ['a JSON array', JSON.stringify(['app', CANARY])],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
  ])('reports %s as SECRET_NOT_JSON: an object is required', (_label, text) => {
    expect(parseSecretString(ARN, text)).toEqual({
      kind: 'failure',
      reason: 'SECRET_NOT_JSON',
      message: `secret ${ARN} is JSON but not an object`,
    });
  });

  it.each([
    [{ password: CANARY }, 'username is missing'],
    [{ username: 'app' }, 'password is missing'],
    [{}, 'username is missing, password is missing'],
    [{ username: 'app', password: 12345678 }, 'password is not a string'],
    [{ username: ['app'], password: CANARY }, 'username is not a string'],
    [{ username: '  ', password: CANARY }, 'username is empty'],
    [{ username: 'app', password: '' }, 'password is empty'],
    [{ user: 'app', pass: CANARY }, 'username is missing, password is missing'],
  ])('reports %j as SECRET_INCOMPLETE naming the field, not the value', (document, problem) => {
    expect(parseSecretString(ARN, JSON.stringify(document))).toEqual({
      kind: 'failure',
      reason: 'SECRET_INCOMPLETE',
      message: `secret ${ARN}: ${problem}`,
    });
  });

  it('keeps the password out of every printable form of the parsed secret', () => {
    const secret = parsed(JSON.stringify({ username: 'app', password: CANARY }));
    expect(JSON.stringify(secret)).not.toContain(CANARY);
    expect(inspect(secret, { depth: Number.POSITIVE_INFINITY })).not.toContain(CANARY);
    expect(String(secret.password)).toBe('[redacted]');
  });
});

describe('checkSecretTarget', () => {
  const withIds = (ids: Partial<DatabaseSecret>): DatabaseSecret => ({
    kind: 'secret',
    username: 'app',
    password: new SecretValue(CANARY),
    ...ids,
  });

  it('accepts a secret that names no database', () => {
    expect(checkSecretTarget(ARN, withIds({}), instance())).toBeUndefined();
  });

  it('accepts a secret naming the same instance, whatever the case', () => {
    expect(
      checkSecretTarget(ARN, withIds({ dbInstanceIdentifier: 'Orders-DB' }), instance()),
    ).toBeUndefined();
  });

  it('refuses a secret naming another instance', () => {
    expect(
      checkSecretTarget(ARN, withIds({ dbInstanceIdentifier: 'payments-db' }), instance()),
    ).toEqual({
      kind: 'failure',
      reason: 'SECRET_FOR_OTHER_DATABASE',
      message: `secret ${ARN} belongs to DB instance payments-db, not DB instance orders-db; credentials not sent`,
    });
  });

  it('accepts a cluster secret for a member instance of that cluster', () => {
    const member = instance({ clusterIdentifier: 'billing-cluster' });
    expect(
      checkSecretTarget(ARN, withIds({ dbClusterIdentifier: 'billing-cluster' }), member),
    ).toBeUndefined();
  });

  it('refuses a cluster secret for an instance outside that cluster', () => {
    const result = checkSecretTarget(
      ARN,
      withIds({ dbClusterIdentifier: 'billing-cluster' }),
      instance(),
    );
    expect(result?.reason).toBe('SECRET_FOR_OTHER_DATABASE');
    expect(result?.message).toBe(
      `secret ${ARN} belongs to DB cluster billing-cluster, not DB instance orders-db; credentials not sent`,
    );
  });

  it('accepts a secret naming the same cluster for the cluster', () => {
    expect(
      checkSecretTarget(ARN, withIds({ dbClusterIdentifier: 'billing-cluster' }), cluster()),
    ).toBeUndefined();
  });

  it('refuses a secret naming another cluster for a cluster', () => {
    expect(
      checkSecretTarget(ARN, withIds({ dbClusterIdentifier: 'ledger-cluster' }), cluster())?.reason,
    ).toBe('SECRET_FOR_OTHER_DATABASE');
  });

  // DBClusterMembers (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBClusterMember.html):
  // the cluster resource carries its member instances.
  const members = {
    clusterMembers: [
      { identifier: 'billing-1', writer: true },
      { identifier: 'billing-2', writer: false },
    ],
  };

  it('accepts, for a cluster, a secret naming one of its member instances, whatever the case', () => {
    expect(
      checkSecretTarget(ARN, withIds({ dbInstanceIdentifier: 'billing-2' }), cluster(members)),
    ).toBeUndefined();
    expect(
      checkSecretTarget(ARN, withIds({ dbInstanceIdentifier: 'Billing-1' }), cluster(members)),
    ).toBeUndefined();
  });

  it('refuses, for a cluster, a secret naming an instance that is not one of its members', () => {
    expect(
      checkSecretTarget(ARN, withIds({ dbInstanceIdentifier: 'ledger-1' }), cluster(members)),
    ).toEqual({
      kind: 'failure',
      reason: 'SECRET_FOR_OTHER_DATABASE',
      message: `secret ${ARN} belongs to DB instance ledger-1, not DB cluster billing-cluster; credentials not sent`,
    });
  });

  it('refuses, for a cluster whose members are not known, a secret naming only an instance', () => {
    expect(
      checkSecretTarget(ARN, withIds({ dbInstanceIdentifier: 'billing-1' }), cluster())?.message,
    ).toBe(
      `secret ${ARN} belongs to DB instance billing-1, not DB cluster billing-cluster; credentials not sent`,
    );
  });

  it('refuses, for a cluster, a secret naming another cluster even if it names a member instance', () => {
    expect(
      checkSecretTarget(
        ARN,
        withIds({ dbClusterIdentifier: 'ledger-cluster', dbInstanceIdentifier: 'billing-1' }),
        cluster(members),
      )?.reason,
    ).toBe('SECRET_FOR_OTHER_DATABASE');
  });
});

describe('classifyLookupError', () => {
  const named = (name: string, message = CANARY) => Object.assign(new Error(message), { name });

  it.each([
    ['ResourceNotFoundException', 'SECRET_NOT_FOUND'],
    ['AccessDeniedException', 'SECRET_ACCESS_DENIED'],
    ['DecryptionFailure', 'SECRET_DECRYPTION_FAILED'],
    ['InvalidRequestException', 'SECRET_INVALID_REQUEST'],
    ['ThrottlingException', 'SECRET_LOOKUP_FAILED'],
    ['InternalServiceError', 'SECRET_LOOKUP_FAILED'],
    ['TimeoutError', 'SECRET_LOOKUP_FAILED'],
  ])('maps %s to %s and drops the error message', (name, reason) => {
    const failure = classifyLookupError(ARN, named(name));
    expect(failure.reason).toBe(reason);
    expect(failure.message).toContain(ARN);
    expect(failure.message).not.toContain(CANARY);
  });

  it('names the error in a generic lookup failure', () => {
    expect(classifyLookupError(ARN, named('ThrottlingException')).message).toBe(
      `reading secret ${ARN} failed: ThrottlingException`,
    );
  });

  it('copes with something thrown that is not an Error', () => {
    expect(classifyLookupError(ARN, 'boom')).toEqual({
      kind: 'failure',
      reason: 'SECRET_LOOKUP_FAILED',
      message: `reading secret ${ARN} failed: string`,
    });
  });
});

describe('regionOfArn', () => {
  it('reads the region of a secret ARN', () => {
    expect(regionOfArn(secretArn('x', 'us-east-1'))).toBe('us-east-1');
  });

  it('reads the region of a GovCloud ARN', () => {
    expect(
      regionOfArn('arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-AbCdEf'),
    ).toBe('us-gov-west-1');
  });

  it('has no region for a secret name', () => {
    expect(regionOfArn('prod/orders-db/probe')).toBeUndefined();
  });

  it('has no region for an ARN with an empty region field', () => {
    expect(regionOfArn('arn:aws:secretsmanager::123456789012:secret:x')).toBeUndefined();
  });
});
