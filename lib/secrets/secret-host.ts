/**
 * The `host` a rotation-style secret declares, judged against the database
 * the probe would send it to. Pure.
 *
 * RDS endpoint names say which database they reach:
 *   <instance>.<random>.<region>.rds.amazonaws.com
 *   <cluster>.cluster-<random>…, <cluster>.cluster-ro-<random>…
 *   <custom endpoint>.cluster-custom-<random>…
 *   <proxy>.proxy-<random>…, <proxy endpoint>.endpoint.proxy-<random>…
 * (RDS User Guide, "Connecting to a DB instance"; Aurora User Guide, "Types
 * of Aurora endpoints"; RDS Proxy endpoints). The China, GovCloud and ISO
 * partitions put `rds` before the region, under amazonaws.com.cn,
 * amazonaws.com, c2s.ic.gov or sc2s.sgov.gov (older China names keep the
 * commercial order): the forms AWS's own Advanced JDBC Wrapper recognises.
 *
 * A host of that shape that names neither this database nor one it is
 * provably part of (its cluster, a member, a proxy target, a proxy in front
 * of it, all in its region) is another database's, and the secret is
 * refused. A host outside those zones (a CNAME of the team's own) cannot be
 * judged and is allowed; the probe's credentials evidence says so. The port
 * is not judged: clients may reach the same database on another port
 * through a proxy.
 */
import type { DatabaseResource } from '../types.js';
import { otherDatabase, type SecretFailure } from './secret-document.js';

const PARTITION_DOMAINS = ['.amazonaws.com', '.amazonaws.com.cn', '.c2s.ic.gov', '.sc2s.sgov.gov'];
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;
/** Longest DNS name; anything longer is no endpoint and is not parsed. */
const MAX_HOST_LENGTH = 253;
const LABEL = /^[a-z0-9-]{1,63}$/;
const RANDOM_LABEL = /^[a-z0-9]{1,63}$/;

type EndpointKind =
  | 'instance'
  | 'cluster'
  | 'cluster-custom'
  | 'proxy'
  | 'proxy-endpoint'
  | 'unknown';

interface RdsHostName {
  /** The first label: the instance, cluster, custom endpoint or proxy it names. */
  name: string;
  kind: EndpointKind;
  region: string;
}

/** Note for the probe's evidence when the secret's host could not be judged. */
export const UNJUDGED_HOST_NOTE =
  'the secret’s host is not an RDS endpoint name, so it was not checked against this database';

/**
 * Refuses a secret whose host is another database's RDS endpoint. Returns
 * undefined when the host is this database's, or not an RDS name.
 */
export function checkSecretHost(
  reference: string,
  host: string,
  resource: DatabaseResource,
): SecretFailure | undefined {
  const wanted = normalizeHost(host);
  if (ownAddresses(resource).includes(wanted)) return undefined;
  const parsed = parseRdsHost(wanted);
  if (parsed === undefined) return undefined;
  if (parsed !== 'malformed' && endpointOfResource(parsed, resource)) return undefined;
  const named =
    parsed === 'malformed'
      ? 'a database at a malformed RDS endpoint name'
      : `the database at ${wanted}`;
  return otherDatabase(reference, named, resource);
}

/** Whether the host cannot be judged: present, and neither this database's address nor an RDS name. */
export function isUnjudgedHost(host: string, resource: DatabaseResource): boolean {
  const wanted = normalizeHost(host);
  return !ownAddresses(resource).includes(wanted) && parseRdsHost(wanted) === undefined;
}

function normalizeHost(host: string): string {
  // A secret string is at most 64 KB (Secrets Manager quotas), so this copy is bounded.
  const trimmed = host.trim().toLowerCase();
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}

/** Every address the resource answers on, as the inventory knows them. */
function ownAddresses(resource: DatabaseResource): string[] {
  return [
    resource.endpoint?.address,
    resource.clusterEndpoints?.reader,
    ...(resource.clusterEndpoints?.custom.map((endpoint) => endpoint.address) ?? []),
    ...(resource.proxy?.endpoints.map((endpoint) => endpoint.address) ?? []),
  ]
    .filter((address): address is string => address !== undefined && address !== '')
    .map(normalizeHost);
}

/**
 * The parts of an RDS endpoint name; undefined for a host that is none;
 * 'malformed' for a name in a partition's RDS zone that no endpoint can have.
 */
function parseRdsHost(host: string): RdsHostName | 'malformed' | undefined {
  const domain = PARTITION_DOMAINS.find((suffix) => host.endsWith(suffix));
  if (domain === undefined || host.length > MAX_HOST_LENGTH) return undefined;
  const labels = host.slice(0, -domain.length).split('.');
  // <…>.<region>.rds.<domain> or <…>.rds.<region>.<domain>
  const regionFirst = labels.at(-1) === 'rds';
  if (!regionFirst && labels.at(-2) !== 'rds') return undefined;
  const region = regionFirst ? labels.at(-2) : labels.at(-1);
  const prefix = labels.slice(0, -2);
  const name = prefix[0];
  if (region === undefined || !REGION.test(region)) return 'malformed';
  if (name === undefined || prefix.length < 2 || !prefix.every((label) => LABEL.test(label))) {
    return 'malformed';
  }
  return { name, kind: endpointKind(prefix.slice(1)), region };
}

function endpointKind(middle: readonly string[]): EndpointKind {
  const [first, second] = middle;
  if (first === undefined) return 'unknown';
  if (middle.length === 2) {
    return first === 'endpoint' && second?.startsWith('proxy-') ? 'proxy-endpoint' : 'unknown';
  }
  if (middle.length !== 1) return 'unknown';
  if (first.startsWith('cluster-custom-')) return 'cluster-custom';
  if (first.startsWith('cluster-ro-') || first.startsWith('cluster-')) return 'cluster';
  if (first.startsWith('proxy-')) return 'proxy';
  return RANDOM_LABEL.test(first) ? 'instance' : 'unknown';
}

/** Whether the endpoint name reaches this database: itself, its cluster, a member, a target, a proxy in front. */
function endpointOfResource(host: RdsHostName, resource: DatabaseResource): boolean {
  if (host.region !== resource.region.toLowerCase()) return false;
  const named = (candidates: readonly (string | undefined)[]) =>
    candidates.some((candidate) => candidate?.toLowerCase() === host.name);
  const frontingProxies = resource.frontingProxies?.map((proxy) => proxy.name) ?? [];

  if (resource.proxy) {
    const targets = resource.proxy.targets.flatMap((target) => [
      target.identifier,
      target.trackedClusterId,
    ]);
    const endpoints = resource.proxy.endpoints.map((endpoint) => endpoint.name);
    switch (host.kind) {
      case 'proxy':
        return named([resource.identifier]);
      case 'proxy-endpoint':
        return named(endpoints);
      case 'instance':
      case 'cluster':
        return named(targets);
      default:
        return false;
    }
  }

  if (resource.resourceType === 'AWS::RDS::DBCluster') {
    switch (host.kind) {
      case 'cluster':
        return named([resource.identifier]);
      case 'cluster-custom':
        return named(resource.clusterEndpoints?.custom.map((endpoint) => endpoint.name) ?? []);
      case 'instance':
        return named(resource.clusterMembers?.map((member) => member.identifier) ?? []);
      case 'proxy':
        return named(frontingProxies);
      default:
        return false;
    }
  }

  // An instance does not carry its cluster's custom endpoints, nor the custom
  // endpoints of the proxies in front of it: those cannot be shown to be its own.
  switch (host.kind) {
    case 'instance':
      return named([resource.identifier]);
    case 'cluster':
      return named([resource.clusterIdentifier]);
    case 'proxy':
      return named(frontingProxies);
    default:
      return false;
  }
}
