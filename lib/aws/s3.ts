/**
 * The parts of the S3 SDK the report archive uses, for a dynamic import:
 * importing the package itself dynamically would bundle every command it has.
 */
export {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
