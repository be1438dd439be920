import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket the library creates has: no public access, TLS only,
 * versioned, objects owned by the bucket owner (ACLs off), and SSE-S3
 * unless the caller names a key (S3 server access log delivery writes
 * with SSE-S3 only).
 */
export const PRIVATE_BUCKET: Pick<s3.BucketProps, 'encryption' | 'blockPublicAccess' | 'enforceSSL' | 'versioned' | 'objectOwnership'> = {
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  versioned: true,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
};
