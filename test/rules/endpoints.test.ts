import { describe, expect, it } from 'vitest';
import type { LiveProber } from '../../lib/pipeline.js';
import { evaluateStatic } from '../../lib/rules/index.js';
import { evaluateItem } from '../../lib/scan.js';
import type { LiveFinding } from '../../lib/types.js';
import { clusterInput, NOW } from './builders.js';

const aurora = {
  engine: 'aurora-postgresql',
  engineVersion: '15.4',
  group: 'apg15-tls',
  parameters: { 'rds.force_ssl': '1' },
};

const proven: LiveFinding = {
  verdict: 'COMPLIANT',
  reason: 'PLAINTEXT_REFUSED',
  annotation:
    'plaintext refused by server before authentication (28000 pg_hba); verify-full TLSv1.3 ok',
  remediation: '',
  evidence: [],
  durationMs: 5,
};

describe('Aurora endpoints', () => {
  it('says the cluster was proven through its writer endpoint', async () => {
    const input = clusterInput({
      ...aurora,
      resource: {
        endpoint: {
          address: 'app-cluster.cluster-c9akciq32.eu-west-1.rds.amazonaws.com',
          port: 5432,
        },
      },
    });
    const { ruleParameters, now: _now, ...item } = input;
    const prober: LiveProber = { probe: async () => proven };
    const evaluation = await evaluateItem(item, { ruleParameters, prober }, () => NOW, NOW);
    expect(evaluation.liveFinding?.evidence[0]).toEqual({
      source: 'probe',
      label: 'proven endpoint',
      value:
        'cluster writer endpoint app-cluster.cluster-c9akciq32.eu-west-1.rds.amazonaws.com:5432; reader and custom endpoints reach instances reading the same cluster parameter group apg15-tls',
    });
    expect(evaluation.finding.verdict).toBe('COMPLIANT');
  });

  it('names the reader and custom endpoints the writer endpoint’s proof stands for', async () => {
    const input = clusterInput({
      ...aurora,
      resource: {
        endpoint: { address: 'app.cluster-c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
        clusterEndpoints: {
          reader: 'app.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com',
          custom: [
            {
              name: 'reports',
              address: 'reports.cluster-custom-c9akciq32.eu-west-1.rds.amazonaws.com',
              type: 'READER',
            },
          ],
        },
      },
    });
    const { ruleParameters, now: _now, ...item } = input;
    const prober: LiveProber = { probe: async () => proven };
    const evaluation = await evaluateItem(item, { ruleParameters, prober }, () => NOW, NOW);
    expect(evaluation.liveFinding?.evidence[0]?.value).toBe(
      'cluster writer endpoint app.cluster-c9akciq32.eu-west-1.rds.amazonaws.com:5432; reader endpoint app.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com and custom endpoints reports reach instances reading the same cluster parameter group apg15-tls',
    );
  });

  it('says the custom endpoints are unknown when they could not be listed, never that there are none', async () => {
    const input = clusterInput({
      ...aurora,
      resource: {
        endpoint: { address: 'app.cluster-c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
        clusterEndpoints: { custom: [], customUnread: true },
      },
    });
    const { ruleParameters, now: _now, ...item } = input;
    const prober: LiveProber = { probe: async () => proven };
    const evaluation = await evaluateItem(item, { ruleParameters, prober }, () => NOW, NOW);
    expect(evaluation.liveFinding?.evidence[0]?.value).toContain(
      'its reader endpoint and custom endpoints (not listed: DescribeDBClusterEndpoints failed)',
    );
  });

  it('notes on a member instance that its settings are the cluster’s, without a verdict of its own from the instance group', () => {
    const finding = evaluateStatic(
      clusterInput({
        ...aurora,
        resourceType: 'AWS::RDS::DBInstance',
        instanceParameters: { 'rds.force_ssl': '0' },
      }),
    );
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.evidence).toContainEqual({
      source: 'rds-api',
      label: 'cluster member',
      value:
        "of app-cluster: TLS settings come from its cluster parameter group apg15-tls (instance parameter group instance-group sets nothing the rules read); the cluster's own evaluation proves them through its writer endpoint",
    });
  });

  it('adds no member note to the cluster itself', () => {
    const finding = evaluateStatic(clusterInput({ ...aurora }));
    expect(finding.evidence.some((entry) => entry.label === 'cluster member')).toBe(false);
  });
});
