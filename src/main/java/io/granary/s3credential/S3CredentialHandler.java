package io.granary.s3credential;

import io.granary.apikey.ApiKeyService;
import io.granary.tenant.TenantService;
import io.granary.web.Requests;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP for {@code /v1/tenants/{tenantId}/s3-credentials}; {@code tenantId} may also be the
 * tenant's name. The body of a creation is an API key's ({@code name, permissions, buckets,
 * expiresAt, requestsPerSecond}); its answer is the only one that holds the secret.
 */
@Component
public class S3CredentialHandler {

    private final S3CredentialService credentials;
    private final TenantService tenants;

    S3CredentialHandler(S3CredentialService credentials, TenantService tenants) {
        this.credentials = credentials;
        this.tenants = tenants;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return Requests.json(request, ApiKeyService.KeySpec.class)
                .flatMap(spec -> tenantId(request).flatMap(tenantId -> credentials.create(Requests.principal(request), tenantId, spec)))
                .flatMap(issued -> ServerResponse.created(URI.create("/v1/tenants/" + issued.credential().tenantId()
                                + "/s3-credentials/" + issued.credential().id()))
                        .bodyValue(withSecret(issued)));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return tenantId(request).flatMapMany(tenantId -> credentials.list(Requests.principal(request), tenantId)).collectList()
                .flatMap(all -> ServerResponse.ok().bodyValue(Map.of("credentials", all)));
    }

    public Mono<ServerResponse> revoke(ServerRequest request) {
        return tenantId(request).flatMap(tenantId -> credentials.revoke(Requests.principal(request), tenantId,
                        request.pathVariable("credentialId")))
                .then(ServerResponse.noContent().build());
    }

    private Mono<String> tenantId(ServerRequest request) {
        return tenants.idOf(request.pathVariable("tenantId"));
    }

    private static Map<String, Object> withSecret(IssuedS3Credential issued) {
        S3Credential credential = issued.credential();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", credential.id());
        body.put("accessKeyId", credential.accessKeyId());
        body.put("secretAccessKey", issued.secretAccessKey());
        body.put("tenantId", credential.tenantId());
        body.put("name", credential.name());
        body.put("permissions", credential.permissions());
        body.put("buckets", credential.buckets());
        body.put("expiresAt", credential.expiresAt());
        body.put("requestsPerSecond", credential.requestsPerSecond());
        body.put("createdAt", credential.createdAt());
        return body;
    }
}
