package io.granary.s3credential;

/**
 * A freshly created S3 credential together with its secret access key, which is shown this
 * once and never again.
 */
public record IssuedS3Credential(S3Credential credential, String secretAccessKey) {
}
