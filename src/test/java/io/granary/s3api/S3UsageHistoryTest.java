package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;

/**
 * Requests on the S3 API count in the usage history as the REST API's do: every signed request
 * to a bucket, and unsigned reads of public buckets; GetObject's body bytes as downloads,
 * other answers' (listings, tagging) not.
 */
class S3UsageHistoryTest extends S3TestSupport {

    @Test
    void s3RequestsAndDownloadsAreCounted() throws InterruptedException {
        String tenant = unique("s3hist");
        String tenantId = createTenant(tenant);
        Credential credential = newCredential(tenantId);
        String key = createKey(tenantId, List.of("read"), null);
        String bucket = unique("counted");
        try (S3Client signed = client(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(credential.accessKeyId(), credential.secret())));
             S3Client anonymous = client(AnonymousCredentialsProvider.create())) {
            signed.createBucket(b -> b.bucket(bucket).acl(BucketCannedACL.PUBLIC_READ));                  // 1
            signed.putObject(p -> p.bucket(bucket).key("o.bin"), RequestBody.fromBytes(new byte[500]));     // 2
            assertThat(signed.getObjectAsBytes(g -> g.bucket(bucket).key("o.bin")).asByteArray()).hasSize(500); // 3
            signed.headObject(h -> h.bucket(bucket).key("o.bin"));                                          // 4
            signed.getObjectTagging(t -> t.bucket(bucket).key("o.bin"));                                     // 5
            signed.listObjectsV2(l -> l.bucket(bucket));                                                      // 6
            // Unsigned: the tenant in the bucket's place.
            assertThat(anonymous.getObjectAsBytes(g -> g.bucket(tenant).key(bucket + "/o.bin")).asByteArray())
                    .hasSize(500);                                                                               // 7
        }
        // Flushed every 10 s (the default) in this context.
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        long[] totals;
        while (!Arrays.equals(totals = totals(key, bucket), new long[] {7, 1000})) {
            assertThat(System.nanoTime()).as("7 requests and 1000 bytes counted; so far %s", Arrays.toString(totals))
                    .isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private S3Client client(AwsCredentialsProvider credentials) {
        return S3Client.builder().endpointOverride(URI.create(endpoint())).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    }

    @SuppressWarnings("unchecked")
    private long[] totals(String key, String bucket) {
        Map<String, Object> history = http.get().uri("/v1/usage/history?bucket={b}", bucket).header("X-Api-Key", key)
                .exchange().expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody();
        long requests = 0;
        long downloaded = 0;
        for (Map<String, Object> day : (List<Map<String, Object>>) history.get("days")) {
            requests += ((Number) day.get("requests")).longValue();
            downloaded += ((Number) day.get("bytesDownloaded")).longValue();
        }
        return new long[] {requests, downloaded};
    }
}
