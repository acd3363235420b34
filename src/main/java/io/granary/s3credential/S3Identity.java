package io.granary.s3credential;

import io.granary.security.Principal;

/**
 * What an S3 access key id stands for: the principal its requests act as, and the secret a
 * SigV4 signature is computed with. Kept in memory only.
 */
public record S3Identity(String accessKeyId, Principal principal, String secretAccessKey) {

    @Override
    public String toString() {
        return "S3Identity[accessKeyId=" + accessKeyId + ", principal=" + principal + "]"; // never the secret
    }
}
