package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/** Security-relevant events are recorded and visible to the right admins only. */
class AuditApiTest extends ApiTestSupport {

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> events(String credentialHeader, String credential, String query) {
        return (List<Map<String, Object>>) http.get().uri("/v1/audit" + query).header(credentialHeader, credential).exchange()
                .expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody().get("events");
    }

    @Test
    void lifecycleEventsAreRecordedPerTenant() {
        Instant start = Instant.now().minusSeconds(1);
        String tenantId = createTenant(unique("audited"));
        String admin = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("audited");
        createBucket(admin, bucket, Map.of());
        http.patch().uri("/v1/buckets/{b}", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("visibility", "public")).exchange().expectStatus().isOk().expectBody();
        http.patch().uri("/v1/buckets/{b}", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("maxObjectSize", 10)).exchange().expectStatus().isOk().expectBody();
        http.post().uri("/v1/buckets/{b}/signed-urls", bucket).header("X-Api-Key", admin).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("key", "a.txt")).exchange().expectStatus().isOk().expectBody();
        String reader = createKey(tenantId, List.of("read"), null);
        Map<?, ?> readerKey = http.get().uri("/v1/tenants/{t}/keys", tenantId).header("X-Api-Key", admin).exchange()
                .expectBody(new ParameterizedTypeReference<Map<String, List<Map<String, Object>>>>() { })
                .returnResult().getResponseBody().get("keys").get(1);
        http.delete().uri("/v1/tenants/{t}/keys/{k}", tenantId, readerKey.get("id")).header("X-Api-Key", admin)
                .exchange().expectStatus().isNoContent();

        List<Map<String, Object>> seen = events("Authorization", "Bearer " + ROOT_KEY, "?tenant=" + tenantId);
        assertThat(seen).extracting(e -> e.get("type")).containsExactly("tenant_created", "key_created", "bucket_created",
                "bucket_visibility_changed", "signed_url_issued", "key_created", "key_revoked");
        assertThat(seen.get(3)).containsEntry("target", "bucket:" + bucket)
                .containsEntry("details", Map.of("from", "private", "to", "public"));
        assertThat(seen.get(4).get("actor")).asString().startsWith("key:");
        assertThat(seen.get(0)).containsEntry("actor", "root").containsEntry("target", "tenant:" + tenantId);
        assertThat(seen.toString()).doesNotContain(reader);

        // The tenant's own unscoped admin sees the same; filters narrow it down.
        assertThat(events("X-Api-Key", admin, "")).hasSize(seen.size());
        assertThat(events("X-Api-Key", admin, "?type=key_created")).hasSize(2);
        assertThat(events("X-Api-Key", admin, "?since=" + Instant.now().plusSeconds(60))).isEmpty();
        assertThat(events("X-Api-Key", admin, "?since=" + start + "&limit=2")).hasSize(2);
    }

    @Test
    void everyKindOfUploadRecordsTheSameUploadCreatedDetails() {
        String tenantId = createTenant(unique("uploads"));
        String admin = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("uploads");
        createBucket(admin, bucket, Map.of());
        Map<String, Object> intent = http.post().uri("/v1/buckets/{b}/uploads", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "i.txt", "size", 5, "contentType", "text/plain"))
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        Map<String, Object> multipart = http.post().uri("/v1/buckets/{b}/multipart", bucket).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "m.bin")).exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        String tusLocation = http.post().uri("/v1/tus/{b}", bucket).header("X-Api-Key", admin)
                .header("Tus-Resumable", "1.0.0").header("Upload-Length", "7")
                .header("Upload-Metadata", "key " + java.util.Base64.getEncoder().encodeToString("t.bin".getBytes()))
                .exchange().expectStatus().isCreated().returnResult(Void.class).getResponseHeaders().getLocation().toString();
        String tusExpires = http.head().uri(tusLocation).header("X-Api-Key", admin).header("Tus-Resumable", "1.0.0")
                .exchange().expectStatus().isOk().returnResult(Void.class).getResponseHeaders().getFirst("Upload-Expires");

        List<Map<String, Object>> created = events("X-Api-Key", admin, "?type=upload_created");
        assertThat(created).extracting(e -> e.get("target"))
                .containsExactly("object:" + bucket + "/i.txt", "object:" + bucket + "/m.bin", "object:" + bucket + "/t.bin");
        @SuppressWarnings("unchecked") Map<String, Object> ofIntent = (Map<String, Object>) created.get(0).get("details");
        assertThat(ofIntent).containsOnlyKeys("uploadId", "kind", "size", "expiresAt")
                .containsEntry("uploadId", intent.get("id")).containsEntry("kind", "intent").containsEntry("size", "5");
        assertThat(Instant.parse((String) ofIntent.get("expiresAt"))).isEqualTo(Instant.parse((String) intent.get("expiresAt")));
        @SuppressWarnings("unchecked") Map<String, Object> ofMultipart = (Map<String, Object>) created.get(1).get("details");
        assertThat(ofMultipart).containsOnlyKeys("uploadId", "kind", "expiresAt")
                .containsEntry("uploadId", multipart.get("id")).containsEntry("kind", "multipart");
        // Open multipart uploads are swept 7 days (the default) after they started.
        assertThat(Instant.parse((String) ofMultipart.get("expiresAt")))
                .isEqualTo(Instant.parse((String) multipart.get("createdAt")).plus(java.time.Duration.ofDays(7)));
        @SuppressWarnings("unchecked") Map<String, Object> ofTus = (Map<String, Object>) created.get(2).get("details");
        assertThat(ofTus).containsOnlyKeys("uploadId", "kind", "size", "expiresAt")
                .containsEntry("uploadId", tusLocation.substring(tusLocation.lastIndexOf('/') + 1))
                .containsEntry("kind", "tus").containsEntry("size", "7");
        // The event's expiry is the one Upload-Expires announces (to the second).
        assertThat(Instant.parse((String) ofTus.get("expiresAt")).getEpochSecond())
                .isEqualTo(java.time.ZonedDateTime.parse(tusExpires, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toEpochSecond());
    }

    @Test
    void onlyAdminsReadTheLogAndOnlyTheirTenants() {
        String tenantA = createTenant(unique("a"));
        String adminA = createKey(tenantA, List.of("admin"), null);
        String readerA = createKey(tenantA, List.of("read", "list"), null);
        String scopedAdmin = createKey(tenantA, List.of("admin"), List.of("some-bucket"));
        String tenantB = createTenant(unique("b"));

        expectProblem(http.get().uri("/v1/audit").header("X-Api-Key", readerA).exchange(), HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(http.get().uri("/v1/audit").header("X-Api-Key", scopedAdmin).exchange(), HttpStatus.FORBIDDEN, "forbidden");
        // A tenant admin cannot widen the scope to another tenant.
        assertThat(events("X-Api-Key", adminA, "?tenant=" + tenantB)).allSatisfy(e -> assertThat(e.get("tenantId")).isEqualTo(tenantA));
        expectProblem(http.get().uri("/v1/audit?since=yesterday").header("X-Api-Key", adminA).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(http.get().uri("/v1/audit?type=nonsense").header("X-Api-Key", adminA).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
    }

    @Test
    void burstsOfRefusedRequestsAreRecordedOncePerMinute() throws InterruptedException {
        String tenantId = createTenant(unique("burst"));
        String admin = createKey(tenantId, List.of("admin"), null);
        String bucket = unique("burst");
        createBucket(admin, bucket, Map.of());
        String reader = createKey(tenantId, List.of("read"), null);
        // Counters are per minute: start well inside one, so all refusals land in the same window.
        long second = Instant.now().getEpochSecond() % 60;
        if (second > 45) {
            Thread.sleep((61 - second) * 1000);
        }
        for (int i = 0; i < 25; i++) {
            expectProblem(http.put().uri("/v1/buckets/{b}/objects/x", bucket).header("X-Api-Key", reader).bodyValue("x")
                    .exchange(), HttpStatus.FORBIDDEN, "forbidden");
        }
        // Refusals are counted on the side: give the counting a moment to land.
        List<Map<String, Object>> bursts = events("X-Api-Key", admin, "?type=denied_burst");
        for (int wait = 0; wait < 50 && bursts.isEmpty(); wait++) {
            Thread.sleep(100);
            bursts = events("X-Api-Key", admin, "?type=denied_burst");
        }
        assertThat(bursts).hasSize(1);
        assertThat(bursts.get(0)).containsEntry("tenantId", tenantId);
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) bursts.get(0).get("details");
        assertThat(details).containsEntry("threshold", "20").containsEntry("lastStatus", "403");
    }

    @Test
    void signingKeyRotationIsAnInstallationEvent() {
        Map<?, ?> rotated = asRoot(http.post().uri("/v1/signing-keys")).exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        List<Map<String, Object>> all = events("Authorization", "Bearer " + ROOT_KEY, "?type=signing_key_rotated");
        assertThat(all).anySatisfy(e -> assertThat(e).containsEntry("target", "signing-key:" + rotated.get("kid"))
                .containsEntry("tenantId", null));
    }
}
