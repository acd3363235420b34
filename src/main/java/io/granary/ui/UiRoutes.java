package io.granary.ui;

import io.granary.auth.LoginProviders;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.net.URI;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The web dashboard at {@code /ui}: its files under {@code /ui/assets/<build>/} (kept for a
 * year), and the page at {@code /ui} and every address below it, so that a link to a folder or a
 * reload opens the same screen. The dashboard has no API of its own: it calls {@code /v1} with
 * the user's token like any client. No credential is needed to load it.
 */
@Configuration(proxyBeanMethods = false)
class UiRoutes {

    private static final String ASSETS = "/ui/assets/";

    @Bean
    RouterFunction<ServerResponse> dashboard(UiAssets assets, LoginProviders providers) {
        return RouterFunctions.route()
                .GET("/ui", request -> page(assets, providers))
                .GET("/ui/assets/{build}/**", request -> asset(assets, request))
                .GET("/ui/**", request -> page(assets, providers))
                .build();
    }

    private static Mono<ServerResponse> page(UiAssets assets, LoginProviders providers) {
        return providers.document().flatMap(document -> ServerResponse.ok()
                .contentType(MediaType.parseMediaType("text/html;charset=UTF-8"))
                // Always asked again: it names the current build's files.
                .cacheControl(CacheControl.noCache())
                .header("Content-Security-Policy", assets.contentSecurityPolicy(document.oidc().stream()
                        .map(provider -> origin(provider.tokenEndpoint())).distinct().toList()))
                .headers(UiRoutes::hardened)
                .bodyValue(assets.page()));
    }

    private static String origin(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static Mono<ServerResponse> asset(UiAssets assets, ServerRequest request) {
        String build = request.pathVariable("build");
        String path = request.path().substring(ASSETS.length() + build.length() + 1);
        return assets.asset(build, path)
                .map(asset -> ServerResponse.ok().contentType(asset.type())
                        .cacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable())
                        .headers(UiRoutes::hardened)
                        .bodyValue(asset.bytes()))
                // A page of an older build asks for files that are gone: it must be reloaded.
                .orElseGet(() -> Mono.error(new GranaryException(ErrorCode.NOT_FOUND,
                        "No dashboard file '" + path + "' in build " + build + "; reload the page.")));
    }

    private static void hardened(HttpHeaders headers) {
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Cross-Origin-Opener-Policy", "same-origin");
        headers.set("Cross-Origin-Resource-Policy", "same-origin");
    }
}
