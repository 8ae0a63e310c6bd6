import {
  GetSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createAccountToolkit } from '../../lib/accounts/toolkit.js';
import type { InventoryItem } from '../../lib/pipeline.js';
import { instance, ruleParameters, secretArn } from '../secrets/sample-resources.js';

const secretsManager = mockClient(SecretsManagerClient);
const MASTER = secretArn('rds!db-3f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6');

function item(identifier: string): InventoryItem {
  return {
    resource: instance({ identifier, masterUserSecretArn: MASTER }),
    optionGroups: [],
    gaps: [],
  };
}

afterEach(() => secretsManager.reset());

describe('createAccountToolkit().proberFor', () => {
  it('loads the probe stack on the first probe and keeps it: one secret lookup serves both databases', async () => {
    // The documented error shape of GetSecretValue without secretsmanager:GetSecretValue.
    secretsManager.on(GetSecretValueCommand).rejects(
      new SecretsManagerServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'User is not authorized to perform: secretsmanager:GetSecretValue',
      }),
    );
    const prober = createAccountToolkit({ stsRegion: 'eu-west-1' }).proberFor({});

    const first = await prober.probe(item('orders-db'), ruleParameters({ liveProbe: true }));
    const second = await prober.probe(item('billing-db'), ruleParameters({ liveProbe: true }));

    expect(first).toMatchObject({ verdict: 'INSUFFICIENT_DATA', reason: 'SECRET_ACCESS_DENIED' });
    expect(second).toMatchObject({ verdict: 'INSUFFICIENT_DATA', reason: 'SECRET_ACCESS_DENIED' });
    expect(
      secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input),
    ).toEqual([{ SecretId: MASTER }]);
  });
});
