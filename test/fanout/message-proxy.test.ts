import { describe, expect, it } from 'vitest';
import type { FanoutMessage } from '../../lib/fanout/index.js';
import { FANOUT_MESSAGE_VERSION, parseMessage, serializeMessage } from '../../lib/fanout/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { database, settled } from './helpers.js';

describe('fan-out message: RDS Proxies reach the probe worker whole', () => {
  const message: FanoutMessage = {
    version: FANOUT_MESSAGE_VERSION,
    orderingTimestamp: new Date('2025-01-15T13:00:00.000Z'),
    ruleParameters: DEFAULT_RULE_PARAMETERS,
    region: 'eu-west-1',
    items: [
      settled({ ...database(1), frontingProxies: [{ name: 'orders-proxy', requireTls: false }] }),
      {
        resource: {
          resourceType: 'AWS::RDS::DBProxy',
          resourceId: 'prx-0a1b2c3d4e5f67890',
          identifier: 'orders-proxy',
          region: 'eu-west-1',
          engine: 'POSTGRESQL',
          engineVersion: 'proxy',
          optionGroups: [],
          iamDatabaseAuthenticationEnabled: false,
          tags: {},
          proxy: {
            requireTls: false,
            engineFamily: 'POSTGRESQL',
            endpoints: [
              {
                name: 'orders-reports',
                address: 'orders-reports.endpoint.proxy-c9akciq32.eu-west-1.rds.amazonaws.com',
                port: 5432,
                role: 'READ_ONLY',
                isDefault: false,
              },
            ],
            auth: [
              {
                authScheme: 'SECRETS',
                secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf',
              },
            ],
            targets: [{ type: 'RDS_INSTANCE', identifier: 'orders-db' }],
          },
        },
        optionGroups: [],
        gaps: [],
      },
    ],
  };

  it('keeps the proxy’s endpoints, auth and targets, and the link on the database behind it', () => {
    const parsed = parseMessage(serializeMessage(message));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.message).toEqual(message);
  });

  it('refuses a proxy with more endpoints than RDS allows', () => {
    const [first, proxy] = message.items;
    const settings = proxy?.resource.proxy;
    if (!first || !proxy || !settings) throw new Error('fixture');
    const endpoint = settings.endpoints[0];
    const tooMany = {
      ...message,
      items: [
        first,
        {
          ...proxy,
          resource: {
            ...proxy.resource,
            proxy: { ...settings, endpoints: Array.from({ length: 21 }, () => endpoint) },
          },
        },
      ],
    };
    expect(parseMessage(JSON.stringify(tooMany))).toMatchObject({
      ok: false,
      code: 'MESSAGE_INVALID',
    });
  });
});
