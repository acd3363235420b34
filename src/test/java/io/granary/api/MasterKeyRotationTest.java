package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.s3credential.S3CredentialService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.MediaType;

/**
 * The master key's life: generated into the data directory on first start, replaced by
 * {@code GRANARY_MASTER_KEY} (the file's key still opens what it sealed, and every secret is
 * sealed again under the new key), the old key then dropped, and a node without the right key
 * failing clearly. One node at a time on one data directory, as after restarts.
 */
class MasterKeyRotationTest {

    @Test
    void secretsSurviveEveryStepOfAKeyRotation() throws Exception {
        Path dataDir = ApiTestSupport.tempDir();
        String accessKeyId;
        String secret;
        String firstSeal;
        try (GranaryNode node = GranaryNode.start(dataDir, List.of())) {
            Path file = dataDir.resolve("master.key");
            assertThat(file).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            String tenantId = node.createTenant("rotation");
            Map<?, ?> issued = node.http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId)
                    .header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("name", "r", "permissions", List.of("read"))).exchange().expectStatus().isCreated()
                    .expectBody(Map.class).returnResult().getResponseBody();
            accessKeyId = (String) issued.get("accessKeyId");
            secret = (String) issued.get("secretAccessKey");
            firstSeal = sealed(node, accessKeyId);
        }

        String newKey = newKey();
        try (GranaryNode node = GranaryNode.start(dataDir, List.of("--granary.master-key=" + newKey))) {
            assertThat(node.bean(S3CredentialService.class).identify(accessKeyId).block().secretAccessKey()).isEqualTo(secret);
            String resealed = awaitResealed(node, accessKeyId, firstSeal);
            assertThat(keyIdOf(resealed)).isNotEqualTo(keyIdOf(firstSeal));
        }

        Files.delete(dataDir.resolve("master.key")); // the old key is gone for good
        try (GranaryNode node = GranaryNode.start(dataDir, List.of("--granary.master-key=" + newKey))) {
            assertThat(node.bean(S3CredentialService.class).identify(accessKeyId).block().secretAccessKey()).isEqualTo(secret);
        }

        try (GranaryNode node = GranaryNode.start(dataDir, List.of("--granary.master-key=" + newKey()))) {
            String sealedNow = sealed(node, accessKeyId);
            assertThatThrownBy(() -> node.bean(S3CredentialService.class).identify(accessKeyId).block())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(keyIdOf(sealedNow)).hasMessageNotContaining(secret);
        }
    }

    private static String awaitResealed(GranaryNode node, String accessKeyId, String before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String now = sealed(node, accessKeyId);
        while (now.equals(before) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = sealed(node, accessKeyId);
        }
        assertThat(now).as("sealed again under the new key after start").isNotEqualTo(before);
        return now;
    }

    private static String sealed(GranaryNode node, String accessKeyId) {
        Document stored = node.bean(ReactiveMongoTemplate.class)
                .findOne(Query.query(Criteria.where("accessKeyId").is(accessKeyId)), Document.class, "s3_credentials").block();
        return stored.getString("sealedSecret");
    }

    private static String keyIdOf(String sealed) {
        return sealed.split("\\.")[1];
    }

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
