package io.granary.web;

import io.granary.apikey.ApiKeyHandler;
import io.granary.audit.AuditHandler;
import io.granary.auth.AccountSessionsHandler;
import io.granary.auth.AuthHandler;
import io.granary.bucket.BucketHandler;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.image.ImagePresetHandler;
import io.granary.image.RenditionHandler;
import io.granary.object.ObjectHandler;
import io.granary.s3credential.S3CredentialHandler;
import io.granary.security.CredentialFilter;
import io.granary.security.PublicAccessFilter;
import io.granary.security.jwt.TenantIssuerHandler;
import io.granary.security.signed.SignedUrlHandler;
import io.granary.security.signed.UploadTokenFilter;
import io.granary.tenant.TenantHandler;
import io.granary.upload.MultipartHandler;
import io.granary.upload.TusHandler;
import io.granary.upload.UploadIntentHandler;
import io.granary.usage.UsageHandler;
import io.granary.user.UserHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The REST API v1 route table, and anonymous reads of public buckets under {@code /public}.
 * Every {@code /v1} route requires a credential (an API key, a JWT or a signed URL's token),
 * except {@code /v1/auth/*} (but for {@code /v1/auth/sessions}) and {@code /v1/uploads/{uploadId}}, whose own token is all it
 * reads; the tus front-end is under {@code /v1/tus/{bucket}}; a known path called with another method is a 405 naming the allowed ones, an unknown
 * path a 404. The embedded issuer's discovery documents are under {@code /.well-known}; {@code GET /}
 * says where everything is.
 */
@Configuration(proxyBeanMethods = false)
class ApiRoutes {

    private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

    @Bean
    RouterFunction<ServerResponse> apiV1(TenantHandler tenants, ApiKeyHandler keys, S3CredentialHandler s3Credentials,
                                         BucketHandler buckets,
                                         ObjectHandler objects, RenditionHandler renditions, ImagePresetHandler presets,
                                         SignedUrlHandler signedUrls,
                                         CredentialFilter credentials,
                                         PublicAccessFilter publicAccess, AuditHandler audit, UsageHandler usage,
                                         UserHandler users, TenantIssuerHandler issuers, AuthHandler auth,
                                         AccountSessionsHandler accountSessions,
                                         UploadIntentHandler uploads, UploadTokenFilter uploadTokens,
                                         MultipartHandler multipart, TusHandler tus, HomeHandler home) {
        // An object read asking for a transform (?width=...) gets the rendition instead.
        HandlerFunction<ServerResponse> read = renditions.orPlain(objects::get);
        Table sessions = new Table()
                .add("/login", HttpMethod.POST, auth::login)
                .add("/refresh", HttpMethod.POST, auth::refresh)
                .add("/logout", HttpMethod.POST, auth::logout)
                .add("/providers", HttpMethod.GET, auth::providers);
        // The caller's own sessions: unlike login and refresh, these need a credential.
        Table ownSessions = new Table()
                .add("/sessions", HttpMethod.GET, accountSessions::list)
                .add("/sessions", HttpMethod.DELETE, accountSessions::endOthers)
                .add("/sessions/{sessionId}", HttpMethod.DELETE, accountSessions::end);
        Table table = new Table()
                .add("/tenants", HttpMethod.POST, tenants::create)
                .add("/tenants", HttpMethod.GET, tenants::list)
                .add("/tenants/{tenantId}", HttpMethod.GET, tenants::get)
                .add("/tenants/{tenantId}", HttpMethod.PATCH, tenants::update)
                .add("/tenants/{tenantId}", HttpMethod.DELETE, tenants::delete)
                .add("/tenants/{tenantId}/keys", HttpMethod.POST, keys::create)
                .add("/tenants/{tenantId}/keys", HttpMethod.GET, keys::list)
                .add("/tenants/{tenantId}/keys/{keyId}", HttpMethod.DELETE, keys::revoke)
                .add("/tenants/{tenantId}/s3-credentials", HttpMethod.POST, s3Credentials::create)
                .add("/tenants/{tenantId}/s3-credentials", HttpMethod.GET, s3Credentials::list)
                .add("/tenants/{tenantId}/s3-credentials/{credentialId}", HttpMethod.DELETE, s3Credentials::revoke)
                .add("/tenants/{tenantId}/issuers", HttpMethod.POST, issuers::register)
                .add("/tenants/{tenantId}/issuers", HttpMethod.GET, issuers::list)
                .add("/tenants/{tenantId}/issuers/{issuerId}", HttpMethod.DELETE, issuers::remove)
                .add("/users", HttpMethod.POST, users::create)
                .add("/users", HttpMethod.GET, users::list)
                .add("/users/{userId}", HttpMethod.GET, users::get)
                .add("/users/{userId}", HttpMethod.PATCH, users::update)
                .add("/users/{userId}", HttpMethod.DELETE, users::delete)
                .add("/buckets", HttpMethod.POST, buckets::create)
                .add("/buckets", HttpMethod.GET, buckets::list)
                .add("/buckets/{bucket}", HttpMethod.GET, buckets::get)
                .add("/buckets/{bucket}", HttpMethod.PATCH, buckets::update)
                .add("/buckets/{bucket}", HttpMethod.DELETE, buckets::delete)
                .add("/buckets/{bucket}/cors", HttpMethod.GET, buckets::cors)
                .add("/buckets/{bucket}/cors", HttpMethod.PUT, buckets::replaceCors)
                .add("/buckets/{bucket}/cors", HttpMethod.DELETE, buckets::deleteCors)
                .add("/buckets/{bucket}/image-presets", HttpMethod.GET, presets::get)
                .add("/buckets/{bucket}/image-presets", HttpMethod.PUT, presets::replace)
                .add("/buckets/{bucket}/image-presets", HttpMethod.DELETE, presets::delete)
                // The listing is registered before the key routes: {*key} also matches nothing.
                .add("/buckets/{bucket}/objects", HttpMethod.GET, objects::list)
                .add("/buckets/{bucket}/objects/{*key}", HttpMethod.PUT, objects::put)
                .add("/buckets/{bucket}/objects/{*key}", HttpMethod.GET, read)
                .add("/buckets/{bucket}/objects/{*key}", HttpMethod.HEAD, read)
                .add("/buckets/{bucket}/objects/{*key}", HttpMethod.PATCH, objects::patch)
                .add("/buckets/{bucket}/objects/{*key}", HttpMethod.DELETE, objects::delete)
                .add("/buckets/{bucket}/copy", HttpMethod.POST, objects::copy)
                .add("/buckets/{bucket}/delete", HttpMethod.POST, objects::deleteMany)
                .add("/buckets/{bucket}/signed-urls", HttpMethod.POST, signedUrls::issue)
                .add("/buckets/{bucket}/uploads", HttpMethod.POST, uploads::create)
                .add("/buckets/{bucket}/uploads/{uploadId}", HttpMethod.GET, uploads::get)
                .add("/buckets/{bucket}/uploads/{uploadId}/complete", HttpMethod.POST, uploads::complete)
                .add("/buckets/{bucket}/multipart", HttpMethod.POST, multipart::start)
                .add("/buckets/{bucket}/multipart", HttpMethod.GET, multipart::listOpen)
                .add("/buckets/{bucket}/multipart/{uploadId}", HttpMethod.GET, multipart::list)
                .add("/buckets/{bucket}/multipart/{uploadId}", HttpMethod.DELETE, multipart::abort)
                .add("/buckets/{bucket}/multipart/{uploadId}/parts/{n}", HttpMethod.PUT, multipart::uploadPart)
                .add("/buckets/{bucket}/multipart/{uploadId}/parts/{n}/url", HttpMethod.POST, multipart::partUrl)
                .add("/buckets/{bucket}/multipart/{uploadId}/complete", HttpMethod.POST, multipart::complete)
                .add("/signing-keys", HttpMethod.GET, signedUrls::listKeys)
                .add("/signing-keys", HttpMethod.POST, signedUrls::rotate)
                .add("/signing-keys/{kid}", HttpMethod.DELETE, signedUrls::retire)
                .add("/audit", HttpMethod.GET, audit::query)
                .add("/usage", HttpMethod.GET, usage::report)
                .add("/usage/history", HttpMethod.GET, usage::history)
                .add("/usage/recount", HttpMethod.POST, usage::recount);
        // tus 1.0.0 (resumable uploads): its own header rules, outside the credential check.
        Table tusUploads = new Table()
                // Answered without a credential above; listed here for the Allow header of a 405.
                .add("/{bucket}", HttpMethod.OPTIONS, tus::options)
                .add("/{bucket}", HttpMethod.POST, tus::create)
                .add("/{bucket}/{uploadId}", HttpMethod.HEAD, tus::head)
                .add("/{bucket}/{uploadId}", HttpMethod.PATCH, tus::patch)
                .add("/{bucket}/{uploadId}", HttpMethod.DELETE, tus::terminate);
        // Granary's upload URL authenticates by its upload token alone, like a store URL would.
        Table uploadUrls = new Table()
                .add("/{uploadId}", HttpMethod.PUT, uploads::receive);
        Table index = new Table()
                .add("/", HttpMethod.GET, home::describe)
                .add("/", HttpMethod.HEAD, home::describe);
        Table anonymous = new Table()
                .add("/{tenant}/{bucket}/{*key}", HttpMethod.GET, read)
                .add("/{tenant}/{bucket}/{*key}", HttpMethod.HEAD, read);
        return index.register(RouterFunctions.route())
                .GET("/openapi.yaml", request -> ServerResponse.ok().contentType(YAML)
                        .bodyValue(new ClassPathResource("openapi.yaml")))
                .GET("/.well-known/jwks.json", auth::jwks)
                .GET("/.well-known/openid-configuration", auth::openidConfiguration)
                .path("/v1/auth", v1 -> sessions.register(v1))
                .path("/v1/auth", v1 -> ownSessions.register(v1).filter(credentials))
                .path("/v1/uploads", u -> uploadUrls.register(u).filter(uploadTokens))
                // tus discovery needs no credential: it says only what the server supports, and a
                // browser's tus client asks before it has any (tried before the routes below).
                .path("/v1/tus", t -> t.OPTIONS("/{bucket}", tus::options).filter(tus::protocol))
                // The first filter declared runs first: tus headers, then credentials.
                .path("/v1/tus", t -> tusUploads.register(t).filter(tus::protocol).filter(credentials))
                .path("/v1", v1 -> table.register(v1).filter(credentials))
                .path("/public", p -> anonymous.register(p).filter(publicAccess))
                .route(RequestPredicates.path("/v1/**"), request -> Mono.error(new GranaryException(
                        ErrorCode.NOT_FOUND, "No route " + request.method() + " " + request.path() + ".")))
                .build();
    }

    /** Routes by path pattern, so each pattern also answers other methods with a 405. */
    private static final class Table {

        private final Map<String, Map<HttpMethod, HandlerFunction<ServerResponse>>> routes = new LinkedHashMap<>();

        Table add(String pattern, HttpMethod method, HandlerFunction<ServerResponse> handler) {
            routes.computeIfAbsent(pattern, p -> new LinkedHashMap<>()).put(method, handler);
            return this;
        }

        RouterFunctions.Builder register(RouterFunctions.Builder builder) {
            routes.forEach((pattern, handlers) -> handlers.forEach((method, handler) ->
                    builder.route(RequestPredicates.method(method).and(RequestPredicates.path(pattern)), handler)));
            routes.forEach((pattern, handlers) -> {
                String allowed = handlers.keySet().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
                builder.route(RequestPredicates.path(pattern), request -> Mono.error(new GranaryException(
                        ErrorCode.METHOD_NOT_ALLOWED, "Allowed methods: " + allowed + ".", Map.of("Allow", allowed))));
            });
            return builder;
        }
    }
}
