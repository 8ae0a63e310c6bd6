/**
 * The shapes a snapshot file must have before anything reads it: for each
 * describe command, the JSON types of every field the inventory reads, as
 * the RDS and EC2 API references type them (every other field passes
 * unread). A file is anyone's bytes; without this check an `Engine` that is
 * a number or a `DBParameterGroups` that is a string reaches code typed by
 * the SDK and ends in a TypeError that loses the whole scan.
 *
 * What a wrong type costs follows what a missing file costs:
 * - a database record in describe-db-instances.json or
 *   describe-db-clusters.json is checked alone: a bad one is left out of the
 *   scan with a SNAPSHOT_RECORD_INVALID problem naming it, the others are
 *   scanned; one that still names its database is handed back (unreadable)
 *   so that database gets an INSUFFICIENT_DATA row (invalid-records.ts);
 * - a listing whose list is not a list is a SNAPSHOT_LISTING_INVALID problem;
 *   both mean databases may be missing from the report (exit 5);
 * - any other file is refused whole (SNAPSHOT_FILE_INVALID) and read as
 *   absent: a parameter group file with one bad entry is a group that could
 *   not be read, never a group without that parameter, so an unreadable
 *   `rds.force_ssl` cannot fall back to a compliant default.
 */
import * as z from 'zod';
import { describeIssues } from '../../errors.js';
import { oneLine, truncate } from '../../text.js';
import type { ScanProblem } from '../../types.js';
import { isRecord, type JsonObject } from './rds-snapshot.js';

/** How the AWS CLI prints a timestamp (`2025-04-12T09:13:00+00:00`). */
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

const text = z.string().optional();
const flag = z.boolean().optional();
const number = z.number().optional();
const time = z
  .string()
  .regex(ISO_DATE, { error: 'expected an ISO 8601 timestamp' })
  .refine((value) => !Number.isNaN(new Date(value).getTime()), {
    error: 'expected an ISO 8601 timestamp',
  })
  .optional();
const listOf = <Shape extends z.core.$ZodLooseShape>(shape: Shape) =>
  z.array(z.looseObject(shape)).optional();

/** Fields DBInstance and DBCluster share (API reference, DBInstance and DBCluster data types). */
const databaseFields = {
  Engine: text,
  EngineVersion: text,
  MasterUsername: text,
  MasterUserSecret: z.looseObject({ SecretArn: text }).optional(),
  IAMDatabaseAuthenticationEnabled: flag,
  PubliclyAccessible: flag,
  VpcSecurityGroups: listOf({ VpcSecurityGroupId: text }),
  TagList: listOf({ Key: text, Value: text }),
  CertificateDetails: z.looseObject({ CAIdentifier: text, ValidTill: time }).optional(),
};

const dbInstance = z.looseObject({
  ...databaseFields,
  DBInstanceIdentifier: text,
  DbiResourceId: text,
  DBInstanceArn: text,
  DBInstanceStatus: text,
  Endpoint: z.looseObject({ Address: text, Port: number }).optional(),
  DbInstancePort: number,
  DBClusterIdentifier: text,
  DBParameterGroups: listOf({ DBParameterGroupName: text, ParameterApplyStatus: text }),
  OptionGroupMemberships: listOf({ OptionGroupName: text, Status: text }),
  CACertificateIdentifier: text,
  PendingModifiedValues: z
    .looseObject({ CACertificateIdentifier: text, EngineVersion: text })
    .optional(),
});

const dbCluster = z.looseObject({
  ...databaseFields,
  DBClusterIdentifier: text,
  DbClusterResourceId: text,
  DBClusterArn: text,
  Status: text,
  Endpoint: text,
  ReaderEndpoint: text,
  Port: number,
  DBClusterParameterGroup: text,
  DBClusterMembers: listOf({
    DBInstanceIdentifier: text,
    IsClusterWriter: flag,
    DBClusterParameterGroupStatus: text,
  }),
  DBClusterOptionGroupMemberships: listOf({ DBClusterOptionGroupName: text, Status: text }),
  EngineMode: text,
});

const parameterList = z.array(
  z.looseObject({ ParameterName: text, ParameterValue: text, ApplyType: text, Source: text }),
);

/** A file refused whole on any issue: its list is required, as the AWS CLI always prints it. */
const documentShapes = {
  parameters: z.looseObject({ Parameters: parameterList }),
  engineDefaults: z.looseObject({
    EngineDefaults: z.looseObject({
      DBParameterGroupFamily: text,
      Parameters: parameterList.optional(),
    }),
  }),
  optionGroups: z.looseObject({
    OptionGroupsList: z.array(
      z.looseObject({
        OptionGroupName: text,
        EngineName: text,
        MajorEngineVersion: text,
        Options: listOf({
          OptionName: text,
          Port: number,
          OptionSettings: listOf({ Name: text, Value: text, DefaultValue: text }),
        }),
      }),
    ),
  }),
  certificates: z.looseObject({
    Certificates: z.array(
      z.looseObject({ CertificateIdentifier: text, ValidFrom: time, ValidTill: time }),
    ),
  }),
  parameterGroups: z.looseObject({
    DBParameterGroups: z.array(
      z.looseObject({ DBParameterGroupName: text, DBParameterGroupFamily: text }),
    ),
  }),
  clusterParameterGroups: z.looseObject({
    DBClusterParameterGroups: z.array(
      z.looseObject({ DBClusterParameterGroupName: text, DBParameterGroupFamily: text }),
    ),
  }),
  // EC2 API reference, SecurityGroup and IpPermission data types.
  securityGroups: z.looseObject({
    SecurityGroups: z.array(
      z.looseObject({
        GroupId: text,
        GroupName: text,
        VpcId: text,
        IpPermissions: listOf({
          IpProtocol: text,
          FromPort: number,
          ToPort: number,
          IpRanges: listOf({ CidrIp: text }),
          PrefixListIds: listOf({ PrefixListId: text }),
          UserIdGroupPairs: listOf({ GroupId: text, UserId: text }),
        }),
      }),
    ),
  }),
  clusterEndpoints: z.looseObject({
    DBClusterEndpoints: z.array(
      z.looseObject({
        DBClusterEndpointIdentifier: text,
        DBClusterIdentifier: text,
        DBClusterEndpointArn: text,
        EndpointType: text,
        CustomEndpointType: text,
        Endpoint: text,
        Status: text,
      }),
    ),
  }),
  proxies: z.looseObject({
    DBProxies: z.array(
      z.looseObject({
        DBProxyName: text,
        DBProxyArn: text,
        EngineFamily: text,
        Endpoint: text,
        Status: text,
        RequireTLS: flag,
        DefaultAuthScheme: text,
        Auth: listOf({
          UserName: text,
          AuthScheme: text,
          SecretArn: text,
          IAMAuth: text,
          ClientPasswordAuthType: text,
        }),
      }),
    ),
  }),
  proxyEndpoints: z.looseObject({
    DBProxyEndpoints: z.array(
      z.looseObject({
        DBProxyEndpointName: text,
        DBProxyEndpointArn: text,
        DBProxyName: text,
        Endpoint: text,
        TargetRole: text,
        IsDefault: flag,
        Status: text,
      }),
    ),
  }),
  proxyTargets: z.looseObject({
    Targets: z.array(
      z.looseObject({ RdsResourceId: text, Type: text, TrackedClusterId: text, Role: text }),
    ),
  }),
} as const;

/** The listings checked record by record, so one bad database does not hide the others. */
const listingShapes = {
  instances: { list: 'DBInstances', record: dbInstance, identifier: 'DBInstanceIdentifier' },
  clusters: { list: 'DBClusters', record: dbCluster, identifier: 'DBClusterIdentifier' },
} as const;

/** Bad records named one by one per file; the rest are counted in one more problem. */
const MAX_RECORD_PROBLEMS = 20;

export type SnapshotDocumentKind =
  | keyof typeof documentShapes
  | keyof typeof listingShapes
  | 'clusterParameters'
  | 'clusterEngineDefaults';

export interface CheckedDocument {
  /** What may be read: the listing without its bad records; absent when the file is refused. */
  document?: JsonObject;
  /** Why the file was refused: the field paths at fault; absent when it was not. */
  refused?: string;
  problems: ScanProblem[];
  /** The listing's records left out for their shape that still name their database. */
  unreadable?: UnreadableRecord[];
}

/** A database record of the wrong shape whose identifier is a string: it still gets a row. */
export interface UnreadableRecord {
  record: JsonObject;
  /** The field paths at fault, as the problem names them. */
  fields: string;
}

/** Checks one parsed snapshot file against the shape of the command that printed it. */
export function checkSnapshotDocument(
  kind: SnapshotDocumentKind,
  fileName: string,
  document: JsonObject,
): CheckedDocument {
  if (kind === 'instances' || kind === 'clusters') {
    return checkListing(listingShapes[kind], fileName, document);
  }
  const shape =
    documentShapes[
      kind === 'clusterParameters'
        ? 'parameters'
        : kind === 'clusterEngineDefaults'
          ? 'engineDefaults'
          : kind
    ];
  const result = shape.safeParse(document);
  if (result.success) return { document, problems: [] };
  const refused = describeIssues(result.error.issues);
  return {
    refused,
    problems: [
      {
        scope: 'snapshot',
        code: 'SNAPSHOT_FILE_INVALID',
        message: `${fileName} is not what the AWS CLI prints (${refused}); it is read as absent`,
      },
    ],
  };
}

function checkListing(
  shape: (typeof listingShapes)[keyof typeof listingShapes],
  fileName: string,
  document: JsonObject,
): CheckedDocument {
  const records = document[shape.list];
  if (!Array.isArray(records)) {
    const issues = z.array(z.unknown()).safeParse(records).error?.issues ?? [];
    return {
      problems: [
        {
          scope: 'snapshot',
          code: 'SNAPSHOT_LISTING_INVALID',
          message: `${fileName} is not what the AWS CLI prints (${describeIssues(issues.map((issue) => ({ ...issue, path: [shape.list, ...issue.path] })))}); none of its databases is evaluated`,
        },
      ],
    };
  }
  const kept: unknown[] = [];
  const problems: ScanProblem[] = [];
  const unreadable: UnreadableRecord[] = [];
  let unnamed = 0;
  records.forEach((record: unknown, index) => {
    const result = shape.record.safeParse(record);
    if (result.success) {
      kept.push(record);
      return;
    }
    const fields = describeIssues(
      result.error.issues.map((issue) => ({ ...issue, path: [shape.list, index, ...issue.path] })),
    );
    const object = isRecord(record) ? record : undefined;
    const identifier = object?.[shape.identifier];
    const names = typeof identifier === 'string' && identifier !== '';
    if (object && names) unreadable.push({ record: object, fields });
    if (problems.length >= MAX_RECORD_PROBLEMS) {
      unnamed += 1;
      return;
    }
    const named = names ? ` ${truncate(oneLine(identifier), 80)}` : ' (identifier unreadable)';
    problems.push({
      scope: 'snapshot',
      code: 'SNAPSHOT_RECORD_INVALID',
      message: `${fileName}: database${named} is not what the AWS CLI prints (${fields}); it is not evaluated`,
    });
  });
  if (unnamed > 0) {
    problems.push({
      scope: 'snapshot',
      code: 'SNAPSHOT_RECORD_INVALID',
      message: `${fileName}: ${unnamed} more database record(s) are not what the AWS CLI prints; they are not evaluated`,
    });
  }
  return {
    document: { ...document, [shape.list]: kept },
    problems,
    ...(unreadable.length > 0 ? { unreadable } : {}),
  };
}
