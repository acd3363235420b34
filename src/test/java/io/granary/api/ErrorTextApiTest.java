package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Refusals say what went wrong in the client's terms: the field and the JSON type it needs
 * (never a Java class), the quota with its limit and usage, why a precondition failed, and
 * advice that works for the credential at hand.
 */
class ErrorTextApiTest extends ApiTestSupport {

    /** The problem document of a refusal with this status and code. */
    private static Map<String, Object> problem(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
        Map<String, Object> body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        assertThat(body).containsEntry("code", code);
        return body;
    }

    private static String detail(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
        return (String) problem(response, status, code).get("detail");
    }

    private WebTestClient.ResponseSpec postJson(String path, String credential, String json) {
        WebTestClient.RequestBodySpec request = http.post().uri(path).contentType(MediaType.APPLICATION_JSON);
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        return request.bodyValue(json).exchange();
    }

    // ---- 415 ------------------------------------------------------------------------------

    @Test
    void aJsonEndpointRefusesAnotherContentTypeInItsOwnWords() {
        Map<String, Object> form = problem(http.post().uri("/v1/auth/login")
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).bodyValue("username=admin&password=x").exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        assertThat((String) form.get("title")).isEqualTo("The request's content type is not accepted here.");
        assertThat((String) form.get("detail")).contains("application/json").contains("application/x-www-form-urlencoded")
                .doesNotContain("bucket");
    }

    @Test
    void aJsonBodyWithoutContentTypeIsToldSo() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/tenants"))
                .header("Authorization", "Bearer " + ROOT_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"no-type\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(answer.body()).contains("\"code\":\"unsupported_media_type\"")
                .contains("The request's content type is not accepted here.")
                .contains("Send the body as application/json").contains("no Content-Type");
    }

    @Test
    void aBucketRefusingATypeStillSaysWhichTypesItTakes() {
        String key = newTenantAdmin();
        String bucket = unique("pics");
        createBucket(key, bucket, Map.of("allowedContentTypes", List.of("image/*")));
        String detail = detail(http.put().uri("/v1/buckets/{b}/objects/a.txt", bucket).header("X-Api-Key", key)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("hello").exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        assertThat(detail).contains(bucket).contains("text/plain");
    }

    // ---- invalid_json ---------------------------------------------------------------------

    @Test
    void aWrongJsonTypeNamesTheFieldAndTheJsonTypeNeverAJavaClass() {
        String tenantId = createTenant(unique("json"));
        String keys = "/v1/tenants/" + tenantId + "/keys";
        Map<String, String> cases = Map.of(
                "{\"name\":\"k\",\"permissions\":\"read\"}", "'permissions' must be an array",
                "{\"name\":\"k\",\"permissions\":[{\"read\":true}]}", "'permissions[0]' must be a string",
                "{\"name\":{\"first\":\"k\"},\"permissions\":[\"read\"]}", "'name' must be a string",
                "{\"name\":\"k\",\"permissions\":[\"read\"],\"requestsPerSecond\":\"fast\"}",
                        "'requestsPerSecond' must be a number, not \"fast\"",
                "{\"name\":\"k\",\"permissions\":[\"read\"],\"expiresAt\":\"soon\"}",
                        "'expiresAt' must be a string holding an ISO-8601 instant",
                "{\"name\":\"k\",\"permissions\":[\"read\"],\"colour\":\"red\"}", "unknown field 'colour'",
                "[\"k\"]", "the body must be an object");
        cases.forEach((json, expected) -> {
            String detail = detail(postJson(keys, ROOT_KEY, json), HttpStatus.BAD_REQUEST, "invalid_json");
            assertThat(detail).as(json).contains(expected)
                    .doesNotContain("java.", "io.granary", "$", "`", "ArrayList", "KeySpec", "Instant");
        });
        // Nested objects too: the path goes through the array.
        String key = newTenantAdmin();
        String bucket = unique("mp");
        createBucket(key, bucket, Map.of());
        String detail = detail(http.post().uri("/v1/buckets/{b}/multipart/{id}/complete", bucket, "0123456789abcdef01234567")
                        .header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"parts\":[{\"n\":\"one\",\"etag\":\"x\"}]}").exchange(),
                HttpStatus.BAD_REQUEST, "invalid_json");
        assertThat(detail).contains("'parts[0].n' must be a whole number").doesNotContain("java.", "PartRef", "int");
    }

    @Test
    void brokenJsonSyntaxGivesLineAndColumn() {
        String detail = detail(postJson("/v1/tenants", ROOT_KEY, "{\n  \"name\": \"acme\",\n}"),
                HttpStatus.BAD_REQUEST, "invalid_json");
        assertThat(detail).contains("line 3, column").doesNotContain("java.", "io.granary", "$", "CreateTenant");
        String truncated = detail(postJson("/v1/tenants", ROOT_KEY, "{\"name\": \"ac"), HttpStatus.BAD_REQUEST, "invalid_json");
        assertThat(truncated).contains("line 1").doesNotContain("java.", "io.granary", "$");
    }

    // ---- quota_exceeded ----------------------------------------------------------------------

    @Test
    void aBucketByteQuotaRefusalSaysTheLimitAndTheUsage() {
        String key = newTenantAdmin();
        String bucket = unique("bytes");
        createBucket(key, bucket, Map.of("quotaBytes", 10));
        http.put().uri("/v1/buckets/{b}/objects/a", bucket).header("X-Api-Key", key).bodyValue(new byte[6])
                .exchange().expectStatus().isOk().expectBody();
        // Declared length: refused before the body is read.
        String early = detail(http.put().uri("/v1/buckets/{b}/objects/b", bucket).header("X-Api-Key", key)
                .bodyValue(new byte[7]).exchange(), HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");
        assertThat(early).contains("byte quota").contains("bucket '" + bucket + "'").contains("10 bytes")
                .contains("6 are in use").contains("adds 7");
        // Copies are refused when they become visible: the reservation's refusal says the same.
        String late = detail(http.post().uri("/v1/buckets/{b}/copy", bucket).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("sourceKey", "a", "key", "a2")).exchange(),
                HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");
        assertThat(late).contains("byte quota").contains("bucket '" + bucket + "'").contains("10 bytes")
                .contains("6 are in use").contains("adds 6");
    }

    @Test
    void aTenantObjectQuotaRefusalNamesTheTenantAndTheCount() {
        String tenantName = unique("objects");
        String tenantId = createTenant(tenantName);
        String key = createKey(tenantId, List.of("admin"), null);
        http.patch().uri("/v1/tenants/{id}", tenantId).header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("quotaObjects", 1))
                .exchange().expectStatus().isOk().expectBody();
        String bucket = unique("count");
        createBucket(key, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/a", bucket).header("X-Api-Key", key).bodyValue("x")
                .exchange().expectStatus().isOk().expectBody();
        String detail = detail(http.put().uri("/v1/buckets/{b}/objects/b", bucket).header("X-Api-Key", key)
                .bodyValue("y").exchange(), HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded");
        assertThat(detail).contains("object quota").contains("tenant '" + tenantName + "'")
                .contains("allows 1 objects").contains("1 are stored");
    }

    // ---- 412 -------------------------------------------------------------------------------

    @Test
    void aFailedIfNoneMatchSaysTheObjectExists() {
        String key = newTenantAdmin();
        String bucket = unique("cond");
        createBucket(key, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/taken", bucket).header("X-Api-Key", key).bodyValue("first")
                .exchange().expectStatus().isOk().expectBody();
        String detail = detail(http.put().uri("/v1/buckets/{b}/objects/taken", bucket).header("X-Api-Key", key)
                .header("If-None-Match", "*").bodyValue("second").exchange(), HttpStatus.PRECONDITION_FAILED,
                "precondition_failed");
        assertThat(detail).contains("already exists").contains("'taken'").contains("If-None-Match");
        String ifMatch = detail(http.put().uri("/v1/buckets/{b}/objects/free", bucket).header("X-Api-Key", key)
                .header("If-Match", "*").bodyValue("x").exchange(), HttpStatus.PRECONDITION_FAILED, "precondition_failed");
        assertThat(ifMatch).contains("No object exists").contains("'free'").contains("If-Match");
    }

    // ---- 403 advice ------------------------------------------------------------------------

    @Test
    void theRootKeyIsAdvisedWhatWorksInsteadOfXGranaryTenant() {
        String detail = detail(asRoot(http.get().uri("/v1/buckets")).exchange(), HttpStatus.FORBIDDEN, "forbidden");
        assertThat(detail).contains("API key of the tenant").contains("log in as a system admin")
                .contains("X-Granary-Tenant");
        // The advice is not a trap: the root key with the header is refused, and says why.
        String tenantName = unique("advice");
        createTenant(tenantName);
        String refused = detail(asRoot(http.get().uri("/v1/buckets")).header("X-Granary-Tenant", tenantName).exchange(),
                HttpStatus.BAD_REQUEST, "invalid_request");
        assertThat(refused).contains("log in as a system admin");
        // What it advises works: a system admin's token with the header lists the tenant's buckets.
        http.get().uri("/v1/buckets").header("Authorization", "Bearer " + accessToken("admin", ADMIN_PASSWORD))
                .header("X-Granary-Tenant", tenantName).exchange().expectStatus().isOk().expectBody();
        // A system admin without the header is told to name the tenant.
        String admin = detail(http.get().uri("/v1/buckets")
                .header("Authorization", "Bearer " + accessToken("admin", ADMIN_PASSWORD)).exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        assertThat(admin).contains("X-Granary-Tenant").doesNotContain("root key");
    }
}
