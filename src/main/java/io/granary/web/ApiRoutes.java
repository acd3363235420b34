package io.granary.web;

import io.granary.apikey.ApiKeyHandler;
import io.granary.bucket.BucketHandler;
import io.granary.object.ObjectHandler;
import io.granary.security.CredentialFilter;
import io.granary.tenant.TenantHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The REST API v1 route table; every route requires a credential. */
@Configuration(proxyBeanMethods = false)
class ApiRoutes {

    @Bean
    RouterFunction<ServerResponse> apiV1(TenantHandler tenants, ApiKeyHandler keys, BucketHandler buckets,
                                         ObjectHandler objects, CredentialFilter credentials) {
        return RouterFunctions.route()
                .path("/v1", v1 -> v1
                        .path("/tenants", t -> t
                                .POST("", tenants::create)
                                .GET("", tenants::list)
                                .GET("/{tenantId}", tenants::get)
                                .DELETE("/{tenantId}", tenants::delete)
                                .POST("/{tenantId}/keys", keys::create)
                                .GET("/{tenantId}/keys", keys::list)
                                .DELETE("/{tenantId}/keys/{keyId}", keys::revoke))
                        .path("/buckets", b -> b
                                .POST("", buckets::create)
                                .GET("", buckets::list)
                                // The listing must come before the key routes: {*key} also matches nothing.
                                .GET("/{bucket}/objects", objects::list)
                                .PUT("/{bucket}/objects/{*key}", objects::put)
                                .GET("/{bucket}/objects/{*key}", objects::get)
                                .HEAD("/{bucket}/objects/{*key}", objects::get)
                                .PATCH("/{bucket}/objects/{*key}", objects::patch)
                                .DELETE("/{bucket}/objects/{*key}", objects::delete)
                                .POST("/{bucket}/copy", objects::copy)
                                .POST("/{bucket}/delete", objects::deleteMany)
                                .GET("/{bucket}", buckets::get)
                                .PATCH("/{bucket}", buckets::update)
                                .DELETE("/{bucket}", buckets::delete))
                        .filter(credentials))
                .build();
    }
}
