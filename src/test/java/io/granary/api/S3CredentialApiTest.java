package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.s3credential.S3CredentialService;
import io.granary.s3credential.S3Identity;
import io.granary.security.Permission;
import io.granary.security.Principal;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

class S3CredentialApiTest extends ApiTestSupport {

    @Autowired
    S3CredentialService credentials;
    @Autowired
    ReactiveMongoTemplate mongo;

    @Test
    void aTenantAdminIssuesACredentialWhoseSecretIsShownOnceAndStoredSealed() {
        String tenantId = createTenant(unique("s3"));
        String admin = createKey(tenantId, List.of("admin"), null);
        Map<String, Object> issued = http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId).header("X-Api-Key", admin)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "backup", "permissions", List.of("read", "write", "list"), "buckets", List.of("photos")))
                .exchange().expectStatus().isCreated()
                .expectHeader().value("Location", l -> assertThat(l).startsWith("/v1/tenants/" + tenantId + "/s3-credentials/"))
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        String accessKeyId = (String) issued.get("accessKeyId");
        String secret = (String) issued.get("secretAccessKey");
        assertThat(accessKeyId).matches("GR[A-Z2-7]{18}");
        assertThat(secret).matches("[A-Za-z0-9]{40}");
        assertThat(issued).containsEntry("tenantId", tenantId).containsEntry("buckets", List.of("photos"))
                .containsEntry("permissions", List.of("read", "write", "list"));

        // Listed without any form of the secret.
        Map<String, Object> listed = http.get().uri("/v1/tenants/{t}/s3-credentials", tenantId).header("X-Api-Key", admin)
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        assertThat(listed.toString()).contains(accessKeyId).doesNotContain(secret).doesNotContain("sealed");

        // At rest: sealed, not in clear.
        Document stored = mongo.findOne(Query.query(Criteria.where("accessKeyId").is(accessKeyId)), Document.class,
                "s3_credentials").block();
        assertThat(stored.toJson()).doesNotContain(secret);
        assertThat(stored.getString("sealedSecret")).startsWith("g1.");

        // What the S3 front-end will see: the tenant's scoped principal and the secret itself.
        S3Identity identity = credentials.identify(accessKeyId).block();
        assertThat(identity.secretAccessKey()).isEqualTo(secret);
        assertThat(identity.toString()).doesNotContain(secret);
        Principal.TenantKey principal = (Principal.TenantKey) identity.principal();
        assertThat(principal.tenantId()).isEqualTo(tenantId);
        assertThat(principal.permissions()).containsExactlyInAnyOrder(Permission.READ, Permission.WRITE, Permission.LIST);
        assertThat(principal.buckets()).containsExactly("photos");

        http.delete().uri("/v1/tenants/{t}/s3-credentials/{id}", tenantId, issued.get("id")).header("X-Api-Key", admin)
                .exchange().expectStatus().isNoContent();
        assertThat(credentials.identify(accessKeyId).blockOptional()).isEmpty();
        expectProblem(http.delete().uri("/v1/tenants/{t}/s3-credentials/{id}", tenantId, issued.get("id"))
                .header("X-Api-Key", admin).exchange(), HttpStatus.NOT_FOUND, "credential_not_found");
        asRoot(http.get().uri("/v1/audit?tenant={t}&type=s3_credential_created", tenantId)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events[0].details.accessKeyId").isEqualTo(accessKeyId);
        asRoot(http.get().uri("/v1/audit?tenant={t}&type=s3_credential_revoked", tenantId)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.events[0].target").isEqualTo("s3-credential:" + issued.get("id"));
    }

    @Test
    void onlyAdminsOfTheTenantManageCredentialsAndTheScopeIsCheckedAsForApiKeys() {
        String tenantId = createTenant(unique("s3"));
        String reader = createKey(tenantId, List.of("read", "list"), null);
        String otherAdmin = newTenantAdmin();
        Map<String, Object> spec = Map.of("name", "x", "permissions", List.of("read"));
        expectProblem(http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId).header("X-Api-Key", reader)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(spec).exchange(), HttpStatus.FORBIDDEN, "forbidden");
        // Another tenant's admin: the tenant does not exist as far as it can tell, as for API keys.
        expectProblem(http.get().uri("/v1/tenants/{t}/s3-credentials", tenantId).header("X-Api-Key", otherAdmin)
                .exchange(), HttpStatus.NOT_FOUND, "tenant_not_found");
        expectProblem(asRoot(http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "x", "permissions", List.of())))
                .exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        expectProblem(asRoot(http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "x", "permissions", List.of("read"),
                        "buckets", List.of("Not A Bucket"))))
                .exchange(), HttpStatus.BAD_REQUEST, "invalid_bucket_name");
        expectProblem(asRoot(http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "x", "permissions", List.of("read"),
                        "expiresAt", "2020-01-01T00:00:00Z")))
                .exchange(), HttpStatus.BAD_REQUEST, "invalid_request");
        asRoot(http.get().uri("/v1/tenants/{t}/s3-credentials", tenantId)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.credentials").isEmpty();
    }

    @Test
    void anExpiredCredentialOrADeletedTenantsIdentifiesNobody() throws InterruptedException {
        String tenantId = createTenant(unique("s3"));
        java.time.Instant expiry = java.time.Instant.now().plusSeconds(2);
        String accessKeyId = (String) asRoot(http.post().uri("/v1/tenants/{t}/s3-credentials", tenantId)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "x", "permissions", List.of("read"),
                        "expiresAt", expiry.toString())))
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody()
                .get("accessKeyId");
        assertThat(credentials.identify(accessKeyId).blockOptional()).isPresent();
        // The lookup is cached by now: the expiry is judged on each use all the same.
        Thread.sleep(java.time.Duration.between(java.time.Instant.now(), expiry).toMillis() + 100);
        assertThat(credentials.identify(accessKeyId).blockOptional()).isEmpty();

        asRoot(http.delete().uri("/v1/tenants/{t}", tenantId)).exchange().expectStatus().isNoContent();
        assertThat(mongo.count(Query.query(Criteria.where("accessKeyId").is(accessKeyId)), "s3_credentials").block()).isZero();
        assertThat(credentials.identify("GRNOTAKEYNOTAKEYNOTA").blockOptional()).isEmpty();
        assertThat(credentials.identify("short").blockOptional()).isEmpty();
    }
}
