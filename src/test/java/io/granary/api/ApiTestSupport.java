package io.granary.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of the end-to-end API tests: a real Granary on a random port with the embedded
 * MongoDB-wire server and the filesystem store in a fresh data directory, driven over HTTP.
 * Subclasses may override the store with {@link DynamicPropertySource} of their own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "spring.main.banner-mode=off")
public abstract class ApiTestSupport {

    public static final String ROOT_KEY = "test-root-key-0123456789abcdefghijklmnopqrstuvwxyz";
    /** Password of the first system admin, {@code admin}. */
    public static final String ADMIN_PASSWORD = "test-admin-password-42";
    protected static final String USER_PASSWORD = "a-long-user-password";
    static final Path DATA_DIR = tempDir();

    @LocalServerPort
    protected int port;

    protected WebTestClient http;

    @DynamicPropertySource
    static void granaryProperties(DynamicPropertyRegistry registry) {
        // A subclass running another application context sets granary.test.data-dir: two embedded
        // databases cannot share one file.
        registry.add("granary.data-dir", () -> "${granary.test.data-dir:" + DATA_DIR + "}");
        registry.add("granary.root-key", () -> ROOT_KEY);
        registry.add("granary.admin-password", () -> ADMIN_PASSWORD);
        // Tests assert the store's contents right after overwrites and deletes.
        registry.add("granary.store.superseded-grace", () -> "${granary.test.superseded-grace:0s}");
    }

    @BeforeEach
    void connect() {
        http = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(60))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(64 * 1024 * 1024))
                .build();
    }

    /** A fresh data directory: each distinct application context needs its own (the embedded database locks its file). */
    protected static Path tempDir() {
        try {
            return Files.createTempDirectory("granary-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A unique lowercase name for tenants and buckets, so test methods never collide. */
    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected WebTestClient.RequestHeadersSpec<?> asRoot(WebTestClient.RequestHeadersSpec<?> spec) {
        return spec.header("Authorization", "Bearer " + ROOT_KEY);
    }

    /** Creates a tenant as root and returns its id. */
    protected String createTenant(String name) {
        Map<String, Object> body = http.post().uri("/v1/tenants").header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", name))
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        return (String) body.get("id");
    }

    /** Issues a key of the tenant as root and returns its secret. */
    protected String createKey(String tenantId, List<String> permissions, List<String> buckets) {
        KeySpec spec = new KeySpec("test key", permissions, buckets);
        Map<String, Object> body = http.post().uri("/v1/tenants/{id}/keys", tenantId)
                .header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(spec)
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        return (String) body.get("secret");
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record KeySpec(String name, List<String> permissions, List<String> buckets) {
    }

    /** A fresh tenant with an admin key; returns the key. */
    protected String newTenantAdmin() {
        String tenantId = createTenant(unique("t"));
        return createKey(tenantId, List.of("admin"), null);
    }

    protected void createBucket(String key, String name, Map<String, Object> settings) {
        Map<String, Object> body = new java.util.HashMap<>(settings);
        body.put("name", name);
        http.post().uri("/v1/buckets").header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isCreated().expectBody();
    }

    /** Creates a dashboard user as root ({@code tenantId} null for a system admin) and returns its id. */
    protected String createUser(String tenantId, String username, String role) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("username", username, "password", USER_PASSWORD, "role", role));
        if (tenantId != null) {
            body.put("tenantId", tenantId);
        }
        return (String) http.post().uri("/v1/users").header("Authorization", "Bearer " + ROOT_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody().get("id");
    }

    /** Logs in to the embedded issuer and returns the whole answer (accessToken, refreshToken, expiresIn). */
    protected Map<String, Object> login(String username, String password) {
        return http.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", username, "password", password))
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }

    /** The access token of a fresh login. */
    protected String accessToken(String username, String password) {
        return (String) login(username, password).get("accessToken");
    }

    /** Asserts an RFC 9457 problem with the given status and stable code. */
    protected static void expectProblem(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
        response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo(code).jsonPath("$.status").isEqualTo(status.value());
    }
}
