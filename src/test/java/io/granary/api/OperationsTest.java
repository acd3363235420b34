package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Health, metrics, request ids and the API description: what operators and integrators rely on. */
class OperationsTest extends ApiTestSupport {

    @Test
    void healthCoversMongoAndTheBlobStoreForTheRootKey() {
        asRoot(http.get().uri("/actuator/health")).exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.mongo.status").isEqualTo("UP")
                .jsonPath("$.components.mongo.details.database").exists()
                .jsonPath("$.components.blobStore.status").isEqualTo("UP")
                .jsonPath("$.components.diskSpace.details.path").exists();
        http.get().uri("/actuator/health").header("X-Api-Key", ROOT_KEY).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.components.mongo.status").isEqualTo("UP");
    }

    @Test
    void aSystemAdminSeesHealthDetails() {
        http.get().uri("/actuator/health").header("Authorization", "Bearer " + accessToken("admin", ADMIN_PASSWORD))
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.components.diskSpace.details.total").exists();
    }

    @Test
    void strangersAndTenantsSeeTheHealthStatusOnly() {
        String tenantKey = newTenantAdmin();
        for (String authorization : new String[] {null, "Bearer " + tenantKey, "Bearer not-the-root-key",
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}) {
            WebTestClient.RequestHeadersSpec<?> request = http.get().uri("/actuator/health");
            if (authorization != null) {
                request = request.header("Authorization", authorization);
            }
            String body = request.exchange().expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(body).as("health for %s", authorization).contains("\"status\":\"UP\"")
                    .doesNotContain("components", "details", "diskSpace", "mongo", DATA_DIR.toString());
        }
        for (String probe : new String[] {"/actuator/health/liveness", "/actuator/health/readiness"}) {
            String body = http.get().uri(probe).exchange().expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(body).as(probe).isEqualTo("{\"status\":\"UP\"}");
        }
        // A component's own page would show its details: strangers do not get it.
        http.get().uri("/actuator/health/diskSpace").exchange().expectStatus().isNotFound().expectBody();
    }

    @Test
    void prometheusMetricsAreExposed() {
        http.get().uri("/v1/tenants").exchange().expectStatus().isUnauthorized().expectBody();
        String metrics = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("http_server_requests_seconds_count").contains("jvm_memory_used_bytes");
    }

    @Test
    void requestIdsAreEchoedAndGeneratedAndAppearInProblems() {
        http.get().uri("/v1/tenants").header("X-Request-Id", "trace-123").exchange()
                .expectHeader().valueEquals("X-Request-Id", "trace-123")
                .expectBody().jsonPath("$.requestId").isEqualTo("trace-123");
        http.get().uri("/v1/tenants").header("X-Request-Id", "bad id with spaces").exchange()
                .expectHeader().value("X-Request-Id", id -> assertThat(id).isNotEqualTo("bad id with spaces").hasSize(36))
                .expectBody();
    }

    @Test
    void theBaseUrlSaysWhatThisIsAndWhereToGo() {
        http.get().uri("/").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.name").isEqualTo("Granary")
                // From the build (META-INF/build-info.properties), as the pom says.
                .jsonPath("$.version").value(version -> assertThat((String) version).matches("\\d+\\.\\d+\\.\\d+.*"))
                .jsonPath("$.api").isEqualTo("/v1")
                .jsonPath("$.dashboard").isEqualTo("/ui")
                .jsonPath("$.openapi").isEqualTo("/openapi.yaml")
                .jsonPath("$.health").isEqualTo("/actuator/health")
                .jsonPath("$.docs").value(docs -> assertThat((String) docs).contains("docs/api.md"));
        http.head().uri("/").exchange().expectStatus().isOk().expectBody().isEmpty();
        http.post().uri("/").exchange().expectStatus().isEqualTo(405)
                .expectHeader().valueEquals("Allow", "GET, HEAD").expectBody().jsonPath("$.code").isEqualTo("method_not_allowed");
    }

    @Test
    void openApiDescriptionIsServed() {
        String spec = http.get().uri("/openapi.yaml").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.parseMediaType("application/yaml"))
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(spec).contains("openapi: 3.").contains("/v1/buckets/{bucket}/objects/{key}");
        // Every stable error code is described.
        for (io.granary.error.ErrorCode code : io.granary.error.ErrorCode.values()) {
            assertThat(spec).as("error code %s in openapi.yaml", code.code()).contains("        - " + code.code() + "\n");
        }
    }

    @Test
    void wrongMethodIs405WithAllowAndUnknownRoutesAre404() {
        http.put().uri("/v1/tenants").header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
                .expectStatus().isEqualTo(405)
                .expectHeader().valueEquals("Allow", "POST, GET")
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("method_not_allowed");
        http.post().uri("/v1/buckets/some-bucket/objects/a/b").header("Authorization", "Bearer " + ROOT_KEY)
                .exchange().expectStatus().isEqualTo(405)
                .expectHeader().valueEquals("Allow", "PUT, GET, HEAD, PATCH, DELETE").expectBody();
        expectProblem(http.get().uri("/v1/no/such/route").exchange(), org.springframework.http.HttpStatus.NOT_FOUND, "not_found");
    }
}
