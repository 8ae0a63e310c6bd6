/**
 * The confused deputy, end to end: someone who may tag their own database B
 * (a real RDS instance with a valid certificate) sets the secret tag to the
 * ARN of production database A's RDS-managed master secret, which the
 * probe's role may read. The scan must not read that password, and must not
 * send it anywhere: B is reported INSUFFICIENT_DATA with
 * SECRET_FOR_OTHER_DATABASE, and B's endpoint, a real local PostgreSQL
 * behind a recording relay, sees no connection at all.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPostgres } from '../../lib/local/index.js';
import type { InventoryItem } from '../../lib/pipeline.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { recordingRelay } from '../fixtures/hostile.js';
import {
  ENDPOINT_HOST,
  evaluateWithSecretsManager,
  REAL_SERVER_CONNECT_TIMEOUT_MS,
  usePostgres,
} from '../fixtures/servers.js';
import { compliantPostgresItem } from '../reliability/support.js';

const ACCOUNT_SECRETS = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret';
const PROD_MASTER = `${ACCOUNT_SECRETS}:rds!db-7c1e4b2a-9d3f-4e8a-b6c5-0f1a2b3c4d5e-Pq8sTu`;
const DEV_MASTER = `${ACCOUNT_SECRETS}:rds!db-2b8d6f0e-4a1c-4b3e-9d7f-5e6a7b8c9d0e-Zx3cVb`;

const secretsManager = mockClient(SecretsManagerClient);
let database: LocalPostgres;
let relay: Awaited<ReturnType<typeof recordingRelay>>;

beforeAll(async () => {
  database = usePostgres();
  relay = await recordingRelay(database.port);
});

afterAll(async () => {
  await relay?.close();
});

afterEach(() => secretsManager.reset());

/** Serves both master secrets, each holding the real password: the worst case, where A's would work on B. */
function serveMasterSecrets(): void {
  for (const arn of [PROD_MASTER, DEV_MASTER]) {
    // GetSecretValue response shape: Secrets Manager API Reference, GetSecretValue
    // (ARN, Name, VersionId, SecretString, VersionStages, CreatedDate); an RDS-managed
    // master secret holds username and password only (RDS User Guide, rds-secrets-manager).
    secretsManager.on(GetSecretValueCommand, { SecretId: arn }).resolves({
      ARN: arn,
      Name: arn.split(':')[6]?.slice(0, -7),
      VersionId: 'c3d4e5f6-7890-12ab-cdef-EXAMPLE33333',
      SecretString: JSON.stringify({
        username: database.masterUser,
        password: database.masterPassword.reveal(),
      }),
      VersionStages: ['AWSCURRENT'],
      CreatedDate: new Date('2025-03-01T10:00:00Z'),
    });
  }
}

/**
 * Developer database B, listening on the relay in front of the local
 * PostgreSQL, with a configuration that passes: only the live proof decides.
 */
function devDatabase(tags: Record<string, string>): InventoryItem {
  const item = compliantPostgresItem('dev-b', { address: ENDPOINT_HOST, port: relay.port }, tags);
  return {
    ...item,
    resource: {
      ...item.resource,
      masterUsername: database.masterUser,
      masterUserSecretArn: DEV_MASTER,
    },
  };
}

function evaluate(item: InventoryItem) {
  return evaluateWithSecretsManager(
    item,
    { ...DEFAULT_RULE_PARAMETERS, requireLiveProbe: true },
    { ca: database.ca, connectTimeoutMs: REAL_SERVER_CONNECT_TIMEOUT_MS },
  );
}

describe('a database tagged with another database’s RDS-managed master secret', () => {
  it('is INSUFFICIENT_DATA with SECRET_FOR_OTHER_DATABASE; the secret is not read and its endpoint never contacted', async () => {
    serveMasterSecrets();
    const connectionsBefore = relay.connections.length;

    const evaluation = await evaluate(
      devDatabase({ [DEFAULT_RULE_PARAMETERS.secretTagKey]: PROD_MASTER }),
    );

    expect(evaluation.finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(evaluation.finding.reason).toBe('SECRET_FOR_OTHER_DATABASE');
    expect(evaluation.finding.annotation).toContain(
      `secret ${PROD_MASTER} is an RDS-managed master user secret that is not DB instance dev-b's own`,
    );
    expect(evaluation.finding.annotation).toContain(
      'a managed master secret is only used for its own database',
    );
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(relay.connections).toHaveLength(connectionsBefore);
    expect(JSON.stringify(evaluation)).not.toContain(database.masterPassword.reveal());
  });

  it('while the same database with its own master secret is probed through the same relay', async () => {
    serveMasterSecrets();
    const connectionsBefore = relay.connections.length;

    const evaluation = await evaluate(devDatabase({}));

    expect(relay.connections.length).toBeGreaterThan(connectionsBefore);
    expect(evaluation.finding.evidence).toContainEqual({
      source: 'probe',
      label: 'credentials',
      value: `${database.masterUser} from MasterUserSecret (${DEV_MASTER})`,
    });
    expect(evaluation.finding.reason).not.toBe('SECRET_FOR_OTHER_DATABASE');
  });
});
