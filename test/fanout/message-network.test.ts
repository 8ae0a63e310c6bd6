import { describe, expect, it } from 'vitest';
import type { FanoutMessage } from '../../lib/fanout/index.js';
import {
  databasesOf,
  FANOUT_MESSAGE_VERSION,
  parseMessage,
  serializeMessage,
} from '../../lib/fanout/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { database, settled } from './helpers.js';

describe('fan-out message: what the worker needs for security groups and Oracle', () => {
  const message: FanoutMessage = {
    version: FANOUT_MESSAGE_VERSION,
    orderingTimestamp: new Date('2025-01-15T13:00:00.000Z'),
    ruleParameters: { ...DEFAULT_RULE_PARAMETERS, acceptNativeNetworkEncryption: true },
    region: 'eu-west-1',
    items: [
      {
        ...settled({ ...database(1), vpcSecurityGroupIds: ['sg-0db1a2b3c4d5e6f70'] }),
        securityGroups: {
          groups: [
            {
              groupId: 'sg-0db1a2b3c4d5e6f70',
              groupName: 'orders-db',
              vpcId: 'vpc-0a1b2c3d',
              ingress: [
                {
                  protocol: 'tcp',
                  fromPort: 1521,
                  toPort: 1521,
                  source: { kind: 'ipv4', cidr: '10.0.0.0/16' },
                },
                {
                  protocol: 'tcp',
                  fromPort: 2484,
                  toPort: 2484,
                  source: { kind: 'security-group', groupId: 'sg-0app', userId: '123456789012' },
                },
              ],
            },
          ],
        },
      },
    ],
  };

  it('carries the security group ids, the groups read and acceptNativeNetworkEncryption to the worker', () => {
    const parsed = parseMessage(serializeMessage(message));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(databasesOf(parsed.message)[0]?.vpcSecurityGroupIds).toEqual(['sg-0db1a2b3c4d5e6f70']);
    expect(parsed.message).toEqual(message);
    expect(parsed.message.ruleParameters.acceptNativeNetworkEncryption).toBe(true);
  });

  it('reads a message queued before acceptNativeNetworkEncryption existed with the default', () => {
    const { acceptNativeNetworkEncryption: _new, ...older } = message.ruleParameters;
    const parsed = parseMessage(JSON.stringify({ ...message, ruleParameters: older }));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.message.ruleParameters.acceptNativeNetworkEncryption).toBe(false);
  });
});
