package io.granary.security.signed;

import io.granary.config.GranaryProperties;
import io.granary.web.Requests;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;

/** HTTP for {@code POST /v1/buckets/{bucket}/signed-urls} and the root's {@code /v1/signing-keys}. */
@Component
public class SignedUrlHandler {

    private final SignedUrlService signedUrls;
    private final SigningKeyService signingKeys;
    private final URI publicUrl;

    SignedUrlHandler(SignedUrlService signedUrls, SigningKeyService signingKeys, GranaryProperties properties) {
        this.signedUrls = signedUrls;
        this.signingKeys = signingKeys;
        this.publicUrl = properties.publicUrl();
    }

    public Mono<ServerResponse> issue(ServerRequest request) {
        String bucket = request.pathVariable("bucket");
        return Requests.json(request, SignedUrlService.Request.class)
                .flatMap(body -> signedUrls.issue(Requests.principal(request), bucket, body)
                        .map(issued -> {
                            Map<String, Object> answer = new LinkedHashMap<>();
                            answer.put("url", Requests.baseUrl(request, publicUrl) + "/v1/buckets/" + UriUtils.encodePathSegment(bucket, "UTF-8")
                                    + "/objects/" + encodeKey(body.key()) + "?token=" + issued.token() + pinned(body));
                            answer.put("expiresAt", issued.expiresAt());
                            return answer;
                        }))
                .flatMap(answer -> ServerResponse.ok().bodyValue(answer));
    }

    /** A URL pinned to a transform carries its parameters, so it works as issued. */
    private static String pinned(SignedUrlService.Request body) {
        if (body.transform() == null) {
            return "";
        }
        StringBuilder query = new StringBuilder();
        new java.util.TreeMap<>(body.transform()).forEach((name, value) -> query.append('&')
                .append(UriUtils.encodeQueryParam(name, "UTF-8")).append('=').append(UriUtils.encodeQueryParam(value, "UTF-8")));
        return query.toString();
    }

    public Mono<ServerResponse> listKeys(ServerRequest request) {
        return signingKeys.list(Requests.principal(request)).map(SignedUrlHandler::view).collectList()
                .flatMap(keys -> ServerResponse.ok().bodyValue(Map.of("keys", keys)));
    }

    public Mono<ServerResponse> rotate(ServerRequest request) {
        return signingKeys.rotate(Requests.principal(request))
                .flatMap(key -> ServerResponse.created(URI.create("/v1/signing-keys/" + key.kid())).bodyValue(view(key)));
    }

    public Mono<ServerResponse> retire(ServerRequest request) {
        return signingKeys.retire(Requests.principal(request), request.pathVariable("kid"))
                .then(ServerResponse.noContent().build());
    }

    /**
     * A signing key as JSON: {@code id}, as every resource has, and {@code kid}, the name tokens
     * give it, with the same value; never the secret.
     */
    private static Map<String, Object> view(SigningKey key) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", key.kid());
        body.put("kid", key.kid());
        body.put("createdAt", key.createdAt());
        return body;
    }

    /** Each segment percent-encoded, slashes kept: the URL's path names exactly the signed key. */
    private static String encodeKey(String key) {
        return Arrays.stream(key.split("/", -1))
                .map(segment -> UriUtils.encodePathSegment(segment, "UTF-8"))
                .collect(Collectors.joining("/"));
    }
}
