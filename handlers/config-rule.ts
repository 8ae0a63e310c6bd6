/**
 * AWS Config custom-rule evaluator. Config invokes it for configuration
 * changes of RDS instances and clusters and on its periodic schedule; the
 * evaluations go back through PutEvaluations.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { handleConfigRuleEvent } from '../lib/config-rule.js';
import { createRdsClientFactory } from '../lib/inventory/index.js';
import { createLiveProber } from '../lib/probe/index.js';
import { createCredentialResolver } from '../lib/secrets/index.js';
import { logger } from '../lib/observability/index.js';

const region = process.env.AWS_REGION ?? 'us-east-1';
const config = new ConfigServiceClient({ region, retryMode: 'adaptive', maxAttempts: 8 });
const rdsClientFor = createRdsClientFactory();
const secretsClients = new Map<string, SecretsManagerClient>();
const prober = createLiveProber({
  credentials: createCredentialResolver({
    secretsClientFor: (secretRegion) => {
      let client = secretsClients.get(secretRegion);
      if (!client) {
        client = new SecretsManagerClient({ region: secretRegion });
        secretsClients.set(secretRegion, client);
      }
      return client;
    },
    useIamAuth: process.env.USE_IAM_AUTH === 'true',
  }),
});

export const handler = middy()
  .use(injectLambdaContext(logger))
  .handler(async (event: unknown) => {
    const outcome = await handleConfigRuleEvent(event, {
      config,
      rdsClientFor,
      region,
      prober,
      log: logger,
    });
    logger.info('config rule done', {
      status: outcome.status,
      ...('put' in outcome && outcome.put
        ? { accepted: outcome.put.accepted, failed: outcome.put.failed.length }
        : {}),
    });
    return { status: outcome.status };
  });
