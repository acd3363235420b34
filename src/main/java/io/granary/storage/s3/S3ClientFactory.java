package io.granary.storage.s3;

import io.granary.config.GranaryProperties;
import io.granary.config.GranaryProperties.ChecksumMode;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/**
 * Builds the {@link S3AsyncClient} of the S3 blob store from {@link GranaryProperties.S3}.
 *
 * <p>The client owns its Netty HTTP client (closing the S3 client closes it). No client-wide
 * call timeout is set: a total timeout would cut multi-GB transfers, so {@link S3BlobStore}
 * bounds only its control calls, per request; body transfers are bounded by the read and write
 * timeouts, which catch a stalled connection whatever the object size.
 */
public final class S3ClientFactory {

    private S3ClientFactory() {
    }

    /** A client for the given settings; the caller closes it. */
    public static S3AsyncClient create(GranaryProperties.S3 settings) {
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(settings.maxConcurrency())
                        .connectionAcquisitionTimeout(settings.connectionAcquireTimeout())
                        .readTimeout(settings.readTimeout())
                        .writeTimeout(settings.readTimeout()))
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(credentials(settings));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        // WHEN_REQUIRED is for stores that reject the SDK's default CRC trailers (aws-chunked
        // uploads with x-amz-trailer); it also skips response validation for symmetry.
        if (settings.checksums() == ChecksumMode.WHEN_REQUIRED) {
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        } else {
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_SUPPORTED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_SUPPORTED);
        }
        return builder.build();
    }

    /** A presigner for the same store, credentials and addressing as {@link #create}. */
    public static S3Presigner presigner(GranaryProperties.S3 settings) {
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials(settings))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    /** The reader of object bodies for the same store, credentials and addressing as {@link #presigner}. */
    public static S3ObjectReader reader(GranaryProperties.S3 settings, S3Presigner presigner) {
        // Static keys sign without I/O; any other provider may fetch credentials on first use.
        boolean signOffLoop = !hasStaticKeys(settings);
        return new S3ObjectReader(presigner, settings.bucket(), signOffLoop, settings.maxConcurrency(),
                settings.connectionAcquireTimeout(), settings.readTimeout());
    }

    /**
     * Creates {@code bucket} unless it exists. Used at startup and by tests; completes normally
     * when another node created it concurrently.
     */
    public static Mono<Void> ensureBucket(S3AsyncClient client, String bucket) {
        return Mono.fromFuture(() -> client.headBucket(b -> b.bucket(bucket)))
                .then()
                .onErrorResume(S3Errors::isNotFound, missing -> create(client, bucket))
                .onErrorMap(S3Errors::translate);
    }

    private static Mono<Void> create(S3AsyncClient client, String bucket) {
        Region region = client.serviceClientConfiguration().region();
        return Mono.fromFuture(() -> client.createBucket(b -> {
                    b.bucket(bucket);
                    // us-east-1 is the default location and must not be named explicitly.
                    if (region != null && !Region.US_EAST_1.equals(region)) {
                        b.createBucketConfiguration(c -> c.locationConstraint(region.id()));
                    }
                }))
                .then()
                .onErrorResume(error -> "BucketAlreadyOwnedByYou".equals(S3Errors.errorCode(error)), raced -> Mono.empty());
    }

    private static AwsCredentialsProvider credentials(GranaryProperties.S3 settings) {
        if (hasStaticKeys(settings)) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        }
        return DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true).build();
    }

    private static boolean hasStaticKeys(GranaryProperties.S3 settings) {
        return hasText(settings.accessKey()) && hasText(settings.secretKey());
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
