/**
 * The parameters the rules read. The inventory keeps only these from each
 * parameter group (groups hold hundreds), so adding a rule that reads a new
 * parameter means adding its name here.
 */
import { memberOf } from '../codes.js';

export const TLS_PARAMETER_NAMES = [
  'rds.force_ssl',
  'require_secure_transport',
  'ssl',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'tls_version',
  'rds.tls10',
  'rds.tls11',
  'rds.tls12',
] as const;

export type TlsParameterName = (typeof TLS_PARAMETER_NAMES)[number];

export const isTlsParameter = memberOf(TLS_PARAMETER_NAMES);
