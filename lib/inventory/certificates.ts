/**
 * The CA a database uses, from DescribeCertificates: one sweep per region
 * that has a CA to look up, shared by every database there.
 */
import { type Certificate, DescribeCertificatesCommand } from '@aws-sdk/client-rds';
import type { CertificateAuthority, DatabaseResource } from '../types.js';
import { readAllPages } from './pagination.js';
import type { Read, ReadCache } from './read-cache.js';

/** RDS caps MaxRecords at 100; the largest page means the fewest calls. */
const PAGE_SIZE = 100;

export async function readCertificateAuthority(
  reads: ReadCache,
  resource: DatabaseResource,
  gaps: string[],
): Promise<CertificateAuthority | undefined> {
  const identifier = resource.caCertificateIdentifier;
  if (!identifier) return undefined;
  const read = await certificates(reads, resource.region);
  if (!read.ok) {
    gaps.push(`certificate authority ${identifier} unreadable: ${read.reason}`);
    return undefined;
  }
  const certificate = read.value.get(identifier);
  if (!certificate) {
    gaps.push(`certificate authority ${identifier} not listed by DescribeCertificates`);
    return undefined;
  }
  return {
    identifier,
    ...(certificate.ValidFrom ? { validFrom: certificate.ValidFrom } : {}),
    ...(certificate.ValidTill ? { validTill: certificate.ValidTill } : {}),
  };
}

function certificates(reads: ReadCache, region: string): Promise<Read<Map<string, Certificate>>> {
  return reads.once(`certificates:${region}`, async () => {
    const scope = `certificates:${region}`;
    const operation = `DescribeCertificates in ${region}`;
    const read = await reads.attempt(scope, operation, () =>
      readAllPages<Certificate>(async (marker) => {
        const page = await reads.limit(() =>
          reads
            .client(region)
            .send(new DescribeCertificatesCommand({ MaxRecords: PAGE_SIZE, Marker: marker })),
        );
        return { items: page.Certificates, marker: page.Marker };
      }),
    );
    if (!read.ok) return read;
    reads.noteLoop(scope, operation, read.value);
    const byIdentifier = new Map<string, Certificate>();
    for (const certificate of read.value.items) {
      if (certificate.CertificateIdentifier) {
        byIdentifier.set(certificate.CertificateIdentifier, certificate);
      }
    }
    return { ok: true as const, value: byIdentifier };
  });
}
