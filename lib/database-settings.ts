/**
 * What the inventory read about one database's settings, as zod schemas:
 * parameter groups merged with engine defaults, option groups, security
 * groups and the certificate authority. The types come from the schemas;
 * the fan-out message carries these values and the worker checks them with
 * the same schemas.
 */
import * as z from 'zod';
import { isoDate } from './database-resource.js';

/** A parameter as it applies to a database: group value, or the engine default. */
export const resolvedParameterSchema = z.object({
  name: z.string(),
  /** Absent when neither the group nor the engine defaults give a value. */
  value: z.string().optional(),
  /** `parameter-group` when the group sets it, `engine-default` when the family default fills in. */
  origin: z.enum(['parameter-group', 'engine-default']),
  applyType: z.string().optional(),
  /** RDS `Source`: `user`, `engine-default`, `system`. */
  rdsSource: z.string().optional(),
});
export type ResolvedParameter = z.output<typeof resolvedParameterSchema>;

/** The TLS-relevant contents of one parameter group, already merged with engine defaults. */
export const parameterGroupSettingsSchema = z.object({
  groupName: z.string(),
  kind: z.enum(['instance', 'cluster']),
  family: z.string().optional(),
  /** Keyed by parameter name, only the parameters the rules read. */
  parameters: z.record(z.string(), resolvedParameterSchema),
});
export type ParameterGroupSettings = z.output<typeof parameterGroupSettingsSchema>;

export const optionSettingsSchema = z.object({
  name: z.string(),
  port: z.number().int().optional(),
  settings: z.record(z.string(), z.string()),
});
export type OptionSettings = z.output<typeof optionSettingsSchema>;

/** An option group as DescribeOptionGroups describes it, TLS-relevant options only. */
export const optionGroupSettingsSchema = z.object({
  /** OptionGroupName. */
  name: z.string(),
  /** EngineName, e.g. `oracle-ee`. */
  engineName: z.string().optional(),
  /** MajorEngineVersion, e.g. `19`. */
  majorEngineVersion: z.string().optional(),
  /** Options: OptionName, Port and OptionSettings (name → value). */
  options: z.array(optionSettingsSchema),
});
export type OptionGroupSettings = z.output<typeof optionGroupSettingsSchema>;

/** Where an ingress rule admits traffic from, one source per entry. */
export const ingressSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ipv4'), cidr: z.string() }),
  z.object({ kind: z.literal('ipv6'), cidr: z.string() }),
  z.object({ kind: z.literal('prefix-list'), prefixListId: z.string() }),
  z.object({
    kind: z.literal('security-group'),
    groupId: z.string(),
    userId: z.string().optional(),
  }),
]);
export type IngressSource = z.output<typeof ingressSourceSchema>;

/**
 * One source of one inbound rule (an EC2 IpPermission flattened per source),
 * exact enough to revoke it with revoke-security-group-ingress.
 */
export const ingressPermissionSchema = z.object({
  /** IpProtocol as EC2 reports it: `tcp`, `6`, `-1` (all traffic), `udp`, … */
  protocol: z.string(),
  /** Absent for all-traffic rules. */
  fromPort: z.number().int().optional(),
  toPort: z.number().int().optional(),
  source: ingressSourceSchema,
});
export type IngressPermission = z.output<typeof ingressPermissionSchema>;

/** A VPC security group as DescribeSecurityGroups describes it, inbound rules only. */
export const securityGroupSettingsSchema = z.object({
  /** GroupId, e.g. `sg-0123456789abcdef0`. */
  groupId: z.string(),
  /** GroupName. */
  groupName: z.string().optional(),
  /** VpcId. */
  vpcId: z.string().optional(),
  /** IpPermissions, flattened to one entry per source. */
  ingress: z.array(ingressPermissionSchema),
});
export type SecurityGroupSettings = z.output<typeof securityGroupSettingsSchema>;

/** What DescribeSecurityGroups said about the groups one database uses. */
export const securityGroupReadingSchema = z.object({
  /** The database's groups that were read. */
  groups: z.array(securityGroupSettingsSchema),
  /** Groups that could not be read, and why (an error name or a plain cause); absent when all were read. */
  unread: z
    .object({ groupIds: z.array(z.string()), cause: z.string(), accessDenied: z.boolean() })
    .optional(),
});
export type SecurityGroupReading = z.output<typeof securityGroupReadingSchema>;

export const certificateAuthoritySchema = z.object({
  identifier: z.string(),
  validFrom: isoDate.optional(),
  validTill: isoDate.optional(),
});
export type CertificateAuthority = z.output<typeof certificateAuthoritySchema>;
