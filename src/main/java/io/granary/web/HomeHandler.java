package io.granary.web;

import io.granary.config.GranaryProperties;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /}: a small JSON document naming the service, its version and where the API, its
 * OpenAPI description, the health check and the documentation are, so whoever opens the base
 * URL learns where to go, and the {@code limits} clients would otherwise learn by being refused
 * (the lifetimes a signed URL may have, so a share dialog offers only what works). Needs no
 * credential and tells nothing about the installation beyond the version and those limits.
 * The version comes from the build ({@code META-INF/build-info.properties}, written by
 * spring-boot-maven-plugin's {@code build-info} goal), else from the jar's manifest.
 */
@Component
class HomeHandler {

    static final String DOCS = "README.md and docs/api.md in Granary's source; /openapi.yaml describes every route";

    private final Map<String, Object> body;

    HomeHandler(ObjectProvider<BuildProperties> build, GranaryProperties granary) {
        BuildProperties properties = build.getIfAvailable();
        String version = properties != null ? properties.getVersion() : HomeHandler.class.getPackage().getImplementationVersion();
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("name", "Granary");
        index.put("version", version != null ? version : "unknown");
        index.put("api", "/v1");
        index.put("dashboard", "/ui");
        index.put("openapi", "/openapi.yaml");
        index.put("health", "/actuator/health");
        index.put("docs", DOCS);
        index.put("limits", Map.of(
                "signedUrlMinTtlSeconds", GranaryProperties.SignedUrls.MIN_TTL.toSeconds(),
                "signedUrlMaxTtlSeconds", granary.signedUrls().maxTtl().toSeconds()));
        this.body = Collections.unmodifiableMap(index); // in this order, for people reading it
    }

    Mono<ServerResponse> describe(ServerRequest request) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }
}
