/**
 * The Config rule reads the security groups the configuration item names
 * (vpcSecurityGroups) and reports them: a verdict for Oracle, a note for
 * every other engine.
 */
import { readFileSync } from 'node:fs';
import {
  ConfigServiceClient,
  type Evaluation,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeCertificatesCommand,
  DescribeDBParametersCommand,
  DescribeOptionGroupsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ConfigRuleDeps, handleConfigRuleEvent } from '../lib/use-cases/config-rule.js';
import { databaseSecurityGroup, ORACLE_TLS_OPTION_GROUP } from './inventory/ec2-samples.js';

const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const config = mockClient(ConfigServiceClient);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const rdsClient = new RDSClient({ region: 'eu-west-1', credentials });
const ec2Client = new EC2Client({ region: 'eu-west-1', credentials });
const configClient = new ConfigServiceClient({ region: 'eu-west-1', credentials });

/** The sample event's group (configuration.vpcSecurityGroups). */
const EVENT_SG = 'sg-0a1b2c3d4e5f60718';

function deps(): ConfigRuleDeps {
  const log = () => {};
  return {
    config: configClient,
    rdsClientFor: () => rdsClient,
    ec2ClientFor: () => ec2Client,
    region: 'eu-west-1',
    log: { info: log, warn: log, error: log },
    now: () => new Date('2025-01-15T12:00:00Z'),
    sleep: async () => {},
  };
}

/** The PostgreSQL sample event, or the same instance turned into Oracle with the SSL option. */
function changeEvent(engine: 'postgres' | 'oracle'): Record<string, unknown> {
  const event = JSON.parse(
    readFileSync(
      new URL('../events/config-change-instance-postgres.json', import.meta.url),
      'utf8',
    ),
  );
  if (engine === 'oracle') {
    const invoking = JSON.parse(event.invokingEvent);
    Object.assign(invoking.configurationItem.configuration, {
      engine: 'oracle-ee',
      engineVersion: '19.0.0.0.ru-2024-01.rur-2024-01.r1',
      endpoint: { address: 'app-ora.c1abcdefghij.eu-west-1.rds.amazonaws.com', port: 1521 },
      optionGroupMemberships: [{ optionGroupName: 'ora-tls', status: 'in-sync' }],
    });
    event.invokingEvent = JSON.stringify(invoking);
  }
  return event;
}

function openToAnywhere(port: number) {
  return {
    SecurityGroups: [
      {
        ...databaseSecurityGroup([
          {
            IpProtocol: 'tcp',
            FromPort: port,
            ToPort: port,
            IpRanges: [{ CidrIp: '0.0.0.0/0' }],
            Ipv6Ranges: [],
            PrefixListIds: [],
            UserIdGroupPairs: [],
          },
        ]),
        GroupId: EVENT_SG,
      },
    ],
  };
}

function sent(): Evaluation[] {
  return config
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);
}

beforeEach(() => {
  rds.reset();
  ec2.reset();
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  rds.on(DescribeCertificatesCommand).resolves({
    Certificates: [
      { CertificateIdentifier: 'rds-ca-rsa2048-g1', ValidTill: new Date('2061-05-20T23:34:57Z') },
    ],
  });
  rds.on(DescribeDBParametersCommand).resolves({
    Parameters: [
      { ParameterName: 'rds.force_ssl', ParameterValue: '1', Source: 'user', ApplyType: 'dynamic' },
    ],
  });
  rds.on(DescribeOptionGroupsCommand).resolves({ OptionGroupsList: [ORACLE_TLS_OPTION_GROUP] });
});

describe('Config rule: security groups from the configuration item', () => {
  it('reports an Oracle plaintext port open to anywhere NON_COMPLIANT with its own reason', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves(openToAnywhere(1521));
    await handleConfigRuleEvent(changeEvent('oracle'), deps());
    const input = ec2.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input;
    expect(input?.Filters).toEqual([{ Name: 'group-id', Values: [EVENT_SG] }]);
    expect(sent()).toEqual([
      expect.objectContaining({
        ComplianceType: 'NON_COMPLIANT',
        Annotation: `plaintext listener port 1521 open to anywhere: ${EVENT_SG} tcp 1521 from 0.0.0.0/0`,
      }),
    ]);
  });

  it('keeps a compliant PostgreSQL instance COMPLIANT, with the open port as a note', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves(openToAnywhere(5432));
    await handleConfigRuleEvent(changeEvent('postgres'), deps());
    const [evaluation] = sent();
    expect(evaluation?.ComplianceType).toBe('COMPLIANT');
    // The note trails the TLS summary and may be clipped at 256 characters; reports carry it whole.
    expect(evaluation?.Annotation).toContain('note: port 5432 open to 0.0.0.0/0');
  });
});
