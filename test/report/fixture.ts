/**
 * One fixed scan, used by every report format's golden test. Evaluations are
 * deliberately out of order so the tests see the reports sort them.
 */
import type { DatabaseResource, ResourceEvaluation, ScanResult, Verdict } from '../../lib/types.js';

const ACCOUNT = '123456789012';
const STARTED = new Date('2025-03-14T09:26:53.000Z');
const FINISHED = new Date('2025-03-14T09:27:41.250Z');

function resource(
  overrides: Partial<DatabaseResource> &
    Pick<DatabaseResource, 'identifier' | 'resourceId' | 'engine' | 'engineVersion' | 'region'>,
): DatabaseResource {
  const kind = overrides.resourceType === 'AWS::RDS::DBCluster' ? 'cluster' : 'db';
  return {
    resourceType: 'AWS::RDS::DBInstance',
    arn: `arn:aws:rds:${overrides.region}:${ACCOUNT}:${kind}:${overrides.identifier}`,
    accountId: ACCOUNT,
    status: 'available',
    optionGroups: [],
    iamDatabaseAuthenticationEnabled: false,
    tags: {},
    ...overrides,
  };
}

const compliantPostgres: ResourceEvaluation = {
  resource: resource({
    identifier: 'orders-pg',
    resourceId: 'db-ORDERSPG7QXKZ3LMN4R5T6UVW',
    engine: 'postgres',
    engineVersion: '15.7',
    region: 'eu-west-1',
    endpoint: { address: 'orders-pg.c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
    parameterGroup: { name: 'orders-pg15', applyStatus: 'in-sync' },
    caCertificateIdentifier: 'rds-ca-rsa2048-g1',
  }),
  staticFinding: {
    verdict: 'COMPLIANT',
    reason: 'FORCE_SSL_ON',
    annotation:
      'rds.force_ssl = 1 (group orders-pg15); ssl_min_protocol_version = TLSv1.2 (engine default)',
    remediation: '',
    evidence: [
      { source: 'parameter-group', label: 'rds.force_ssl', value: '1 (group orders-pg15)' },
      {
        source: 'engine-default',
        label: 'ssl_min_protocol_version',
        value: 'TLSv1.2 (family postgres15)',
      },
      { source: 'certificate', label: 'CA rds-ca-rsa2048-g1', value: 'valid till 2061-05-25' },
    ],
  },
  liveFinding: {
    verdict: 'COMPLIANT',
    reason: 'PLAINTEXT_REFUSED',
    annotation: 'plaintext refused (28000 no encryption); verify-full TLSv1.3 session established',
    remediation: '',
    durationMs: 412,
    evidence: [
      {
        source: 'server',
        label: 'plaintext attempt (sslmode=disable)',
        value:
          'FATAL 28000: no pg_hba.conf entry for host "10.0.12.7", user "auditor", database "orders", no encryption',
      },
      {
        source: 'probe',
        label: 'verify-full TLS session',
        value: 'TLSv1.3 TLS_AES_256_GCM_SHA384, certificate issued by rds-ca-rsa2048-g1',
      },
    ],
  },
  finding: {
    verdict: 'COMPLIANT',
    reason: 'TLS_PROVEN',
    annotation:
      'plaintext refused (28000 no encryption); verify-full TLSv1.3 session established; rds.force_ssl = 1 (group orders-pg15); ssl_min_protocol_version = TLSv1.2 (engine default)',
    remediation: '',
    evidence: [],
  },
  orderingTimestamp: STARTED,
};

const plaintextMariadb: ResourceEvaluation = {
  resource: resource({
    identifier: 'billing-mariadb',
    resourceId: 'db-BILLINGMDB2H8J4K6P0Q1S3WX',
    engine: 'mariadb',
    engineVersion: '10.11.8',
    region: 'eu-west-1',
    endpoint: { address: 'billing-mariadb.c9akciq32.eu-west-1.rds.amazonaws.com', port: 3306 },
    parameterGroup: { name: 'default.mariadb10.11', applyStatus: 'in-sync' },
  }),
  staticFinding: {
    verdict: 'NON_COMPLIANT',
    reason: 'REQUIRE_SECURE_TRANSPORT_OFF',
    annotation: 'require_secure_transport = OFF (engine default, group default.mariadb10.11)',
    remediation:
      'Set require_secure_transport = ON in a custom parameter group and attach it to the instance.',
    evidence: [
      {
        source: 'engine-default',
        label: 'require_secure_transport',
        value: 'OFF (group default.mariadb10.11, family mariadb10.11)',
      },
    ],
  },
  liveFinding: {
    verdict: 'NON_COMPLIANT',
    reason: 'PLAINTEXT_ACCEPTED',
    annotation:
      'plaintext login accepted for user "app_admin", @@require_secure_transport = OFF, Ssl_version empty',
    remediation:
      'Set require_secure_transport = ON in the instance parameter group, then verify with a plaintext client that the server refuses it.',
    durationMs: 268,
    evidence: [
      {
        source: 'server',
        label: 'plaintext login (ssl off)',
        value: 'accepted; server version 10.11.8-MariaDB-log',
      },
      { source: 'server', label: '@@require_secure_transport', value: 'OFF' },
      { source: 'server', label: "SHOW STATUS LIKE 'Ssl_version'", value: '""' },
    ],
  },
  finding: {
    verdict: 'NON_COMPLIANT',
    reason: 'PLAINTEXT_ACCEPTED',
    annotation:
      'plaintext login accepted for user "app_admin", @@require_secure_transport = OFF, Ssl_version empty',
    remediation:
      'Set require_secure_transport = ON in the instance parameter group, then verify with a plaintext client that the server refuses it.',
    evidence: [],
  },
  orderingTimestamp: STARTED,
};

const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:analytics-probe-AbCdEf`;

const auroraWithoutSecret: ResourceEvaluation = {
  resource: resource({
    resourceType: 'AWS::RDS::DBCluster',
    identifier: 'analytics-aurora',
    resourceId: 'cluster-ANALYTICS5G7H9J1K3L5M7N9P',
    engine: 'aurora-postgresql',
    engineVersion: '16.4',
    region: 'us-east-1',
    endpoint: {
      address: 'analytics-aurora.cluster-c4xk2p7.us-east-1.rds.amazonaws.com',
      port: 5432,
    },
    clusterParameterGroup: { name: 'analytics-apg16', applyStatus: 'in-sync' },
    clusterEndpoints: {
      reader: 'analytics-aurora.cluster-ro-c4xk2p7.us-east-1.rds.amazonaws.com',
      custom: [
        {
          name: 'bi',
          address: 'bi.cluster-custom-c4xk2p7.us-east-1.rds.amazonaws.com',
          type: 'READER',
          status: 'available',
        },
      ],
    },
    clusterMembers: [
      { identifier: 'analytics-aurora-1', writer: true },
      { identifier: 'analytics-aurora-2', writer: false },
    ],
  }),
  staticFinding: {
    verdict: 'COMPLIANT',
    reason: 'FORCE_SSL_ON',
    annotation: 'rds.force_ssl = 1 (cluster group analytics-apg16)',
    remediation: '',
    evidence: [
      {
        source: 'parameter-group',
        label: 'rds.force_ssl',
        value: '1 (cluster group analytics-apg16)',
      },
    ],
  },
  liveFinding: {
    verdict: 'INSUFFICIENT_DATA',
    reason: 'SECRET_NOT_FOUND',
    annotation: `secret ${SECRET_ARN} not found (ResourceNotFoundException)`,
    remediation: `Create the secret ${SECRET_ARN} with username and password, or name another secret in the tag rds-tls-guard:secret-arn.`,
    durationMs: 35,
    evidence: [{ source: 'probe', label: 'credentials', value: `tag -> ${SECRET_ARN}: not found` }],
  },
  finding: {
    verdict: 'INSUFFICIENT_DATA',
    reason: 'SECRET_NOT_FOUND',
    annotation: `live proof required but inconclusive: secret ${SECRET_ARN} not found (ResourceNotFoundException); configuration: rds.force_ssl = 1 (cluster group analytics-apg16)`,
    remediation: `Create the secret ${SECRET_ARN} with username and password, or name another secret in the tag rds-tls-guard:secret-arn.`,
    evidence: [],
  },
  orderingTimestamp: STARTED,
};

const db2Finding = {
  verdict: 'NOT_APPLICABLE',
  reason: 'ENGINE_NOT_ASSESSED',
  annotation: 'engine db2-se is not assessed by rds-tls-guard',
  remediation: '',
  evidence: [{ source: 'rds-api', label: 'Engine', value: 'db2-se' }],
} as const;

const notAssessedDb2: ResourceEvaluation = {
  resource: resource({
    identifier: 'legacy-db2',
    resourceId: 'db-LEGACYDB2A1B2C3D4E5F6G7H8',
    engine: 'db2-se',
    engineVersion: '11.5.9.0.sb00000000.r1',
    region: 'eu-west-1',
    endpoint: { address: 'legacy-db2.c9akciq32.eu-west-1.rds.amazonaws.com', port: 50000 },
  }),
  staticFinding: { ...db2Finding, evidence: [...db2Finding.evidence] },
  finding: { ...db2Finding, evidence: [...db2Finding.evidence] },
  orderingTimestamp: STARTED,
};

const pendingRebootFinding = {
  verdict: 'NON_COMPLIANT',
  reason: 'PENDING_REBOOT',
  annotation:
    'rds.force_ssl = 1 (group erp-sqlserver-se15) is pending-reboot: not in effect until the instance reboots',
  remediation:
    'Reboot erp-sqlserver in a maintenance window so the static parameter rds.force_ssl takes effect.',
  evidence: [
    {
      source: 'parameter-group',
      label: 'rds.force_ssl',
      value: '1 (group erp-sqlserver-se15, static)',
    },
    { source: 'rds-api', label: 'ParameterApplyStatus', value: 'pending-reboot' },
    { source: 'parameter-group', label: 'rds.tls10', value: 'disabled' },
  ],
} as const;

const pendingRebootSqlServer: ResourceEvaluation = {
  resource: resource({
    identifier: 'erp-sqlserver',
    resourceId: 'db-ERPSQLSRV9Z8Y7X6W5V4U3T2S1',
    engine: 'sqlserver-se',
    engineVersion: '15.00.4385.2.v1',
    region: 'eu-west-1',
    endpoint: { address: 'erp-sqlserver.c9akciq32.eu-west-1.rds.amazonaws.com', port: 1433 },
    parameterGroup: { name: 'erp-sqlserver-se15', applyStatus: 'pending-reboot' },
  }),
  staticFinding: { ...pendingRebootFinding, evidence: [...pendingRebootFinding.evidence] },
  finding: { ...pendingRebootFinding, evidence: [...pendingRebootFinding.evidence] },
  orderingTimestamp: STARTED,
};

/** The combined finding carries the static then the live evidence, as the verdict stage builds it. */
function withCombinedEvidence(evaluation: ResourceEvaluation): ResourceEvaluation {
  const evidence = [
    ...evaluation.staticFinding.evidence,
    ...(evaluation.liveFinding?.evidence ?? []),
  ];
  return { ...evaluation, finding: { ...evaluation.finding, evidence } };
}

/** A fresh copy each call, so a test that edits it cannot change another test's input. */
export function fixtureScanResult(): ScanResult {
  return structuredClone({
    startedAt: STARTED,
    finishedAt: FINISHED,
    regions: ['eu-west-1', 'us-east-1', 'ap-southeast-2'],
    ruleParameters: {
      minTlsVersion: 'TLSv1.2',
      caExpiryDays: 30,
      requireLiveProbe: true,
      liveProbe: true,
      secretTagKey: 'rds-tls-guard:secret-arn',
      secretArns: {},
      acceptNativeNetworkEncryption: false,
    },
    evaluations: [
      auroraWithoutSecret,
      compliantPostgres,
      notAssessedDb2,
      plaintextMariadb,
      pendingRebootSqlServer,
    ].map(withCombinedEvidence),
    problems: [
      {
        scope: 'region:ap-southeast-2',
        code: 'ACCESS_DENIED',
        message:
          'AccessDenied: not authorized to perform rds:DescribeDBInstances in ap-southeast-2',
      },
    ],
  });
}

/** The fixture plus the Aurora cluster's writer instance, evaluated on its own as Config records it. */
export function withClusterMember(verdict: Verdict): ScanResult {
  const result = fixtureScanResult();
  const cluster = result.evaluations.find(
    (evaluation) => evaluation.resource.resourceType === 'AWS::RDS::DBCluster',
  )!;
  const member = {
    ...cluster,
    resource: {
      ...cluster.resource,
      resourceType: 'AWS::RDS::DBInstance' as const,
      resourceId: 'db-ANALYTICSAURORA1',
      identifier: 'analytics-aurora-1',
      clusterIdentifier: cluster.resource.identifier,
    },
    finding: { ...cluster.finding, verdict },
  };
  return { ...result, evaluations: [...result.evaluations, member] };
}
