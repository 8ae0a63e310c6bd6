/**
 * The audit's answer within Lambda's limit. A synchronous invocation returns
 * at most 6 MB of response; a big fleet's report (or an HTML one) is larger,
 * and Lambda would turn it into an error the caller cannot read. So a report
 * over the limit is written to the reports bucket under
 *
 *   audits/YYYY/MM/DD/<request id>.<ext>
 *
 * and the audit returns where it is, with the JSON report's summary. Without
 * a bucket, or when the write fails, the answer is a named error. Nothing
 * here throws.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { describeError } from '../errors.js';
import type { JsonReport, ReportFormat } from '../report/index.js';
import type { AuditResponse } from '../use-cases/audit.js';

/** Lambda's limit for a synchronous invocation's response payload. */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;
/** Larger responses go to S3; a little room stays for the runtime's framing. */
export const INLINE_RESPONSE_MAX_BYTES = LAMBDA_RESPONSE_LIMIT_BYTES - 16 * 1024;

const CONTENT_TYPES: Record<ReportFormat, { extension: string; contentType: string }> = {
  json: { extension: 'json', contentType: 'application/json' },
  table: { extension: 'txt', contentType: 'text/plain; charset=utf-8' },
  csv: { extension: 'csv', contentType: 'text/csv; charset=utf-8' },
  html: { extension: 'html', contentType: 'text/html; charset=utf-8' },
  sarif: { extension: 'sarif', contentType: 'application/sarif+json' },
  asff: { extension: 'json', contentType: 'application/json' },
};

/** Where oversized reports are written: one PUT of the whole object. */
export interface ReportStore {
  bucket: string;
  put(key: string, body: string, contentType: string): Promise<void>;
}

export interface StoredAuditReport {
  stored: {
    bucket: string;
    key: string;
    uri: string;
    format: ReportFormat;
    contentType: string;
    bytes: number;
  };
  /** The JSON report's summary, so the caller sees the counts without fetching. */
  summary?: JsonReport['summary'];
}

export type AuditDelivery = AuditResponse | StoredAuditReport;

export interface AuditRequestRef {
  /** The invocation's request id: the object's name. */
  id: string;
  at: Date;
}

/** Key-safe request id: Lambda's are UUIDs, anything else is reduced to [A-Za-z0-9-]. */
function objectName(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9-]/g, '').slice(0, 80);
  return safe || crypto.randomUUID();
}

export function auditReportKey(request: AuditRequestRef, format: ReportFormat): string {
  const date = request.at.toISOString().slice(0, 10).replaceAll('-', '/');
  return `audits/${date}/${objectName(request.id)}.${CONTENT_TYPES[format].extension}`;
}

/** The response as Lambda will serialize it, or its S3 location when that is too large. */
export async function deliverAuditResponse(
  response: AuditResponse,
  store: ReportStore | undefined,
  request: AuditRequestRef,
): Promise<AuditDelivery> {
  if ('error' in response) return response;
  const serialized = JSON.stringify(response);
  const responseBytes = Buffer.byteLength(serialized);
  if (responseBytes <= INLINE_RESPONSE_MAX_BYTES) return response;

  if (!store) {
    return {
      error: {
        code: 'AUDIT_REPORT_TOO_LARGE',
        message:
          `the report is ${responseBytes} bytes, over Lambda's 6 MB response limit, and no ` +
          'reports bucket is configured (REPORTS_BUCKET); narrow the audit with regions or filters',
      },
    };
  }

  const isJson = !('body' in response);
  const format: ReportFormat = isJson ? 'json' : response.format;
  const body = isJson ? serialized : response.body;
  const { contentType } = CONTENT_TYPES[format];
  const key = auditReportKey(request, format);
  try {
    await store.put(key, body, contentType);
  } catch (error) {
    return {
      error: {
        code: 'AUDIT_REPORT_STORE_FAILED',
        message: `the report is over Lambda's 6 MB response limit and writing s3://${store.bucket}/${key} failed: ${describeError(error)}`,
      },
    };
  }
  return {
    stored: {
      bucket: store.bucket,
      key,
      uri: `s3://${store.bucket}/${key}`,
      format,
      contentType,
      bytes: Buffer.byteLength(body),
    },
    ...(isJson ? { summary: response.summary } : {}),
  };
}

/**
 * A store on S3. The S3 client is loaded on the first oversized report only,
 * so an audit that fits in its response never parses it.
 */
export function s3ReportStore(bucket: string, region: string): ReportStore {
  let client: S3Client | undefined;
  return {
    bucket,
    async put(key, body, contentType) {
      const s3 = await import('../aws/s3.js');
      client ??= new s3.S3Client({ region });
      await client.send(
        new s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
      );
    },
  };
}
