package io.granary.ui;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import org.springframework.stereotype.Component;

/**
 * The dashboard's files, read once at start-up: Granary's own under {@code ui/} on the class path
 * and the browser libraries from their Maven jars (never copied into the repository). Every file
 * is served under {@code /ui/assets/<build>/}, where the build is a digest of all of them, so a
 * browser may keep them for a year: a new build is a new URL. The page itself names that build
 * and is never cached.
 */
@Component
class UiAssets {

    /**
     * Where the page finds each browser library: its jar (group/artifact, whose version the jar's
     * own pom.properties says) and the file in it, under {@code {version}}.
     */
    private static final Map<String, String[]> VENDOR = Map.of(
            "vendor/preact.js", new String[] {"org.webjars.npm/preact", "META-INF/resources/webjars/preact/{version}/dist/preact.module.js"},
            "vendor/preact-hooks.js", new String[] {"org.webjars.npm/preact",
                "META-INF/resources/webjars/preact/{version}/hooks/dist/hooks.module.js"},
            "vendor/htm.js", new String[] {"org.mvnpm/htm", "META-INF/resources/_static/htm/{version}/dist/htm.module.js"},
            "vendor/uplot.js", new String[] {"org.webjars.npm/uplot", "META-INF/resources/webjars/uplot/{version}/dist/uPlot.esm.js"},
            "vendor/uplot.css", new String[] {"org.webjars.npm/uplot", "META-INF/resources/webjars/uplot/{version}/dist/uPlot.min.css"});
    private static final String PAGE = "index.html";

    /** A file to serve: its bytes and type. */
    record Asset(byte[] bytes, MediaType type) {
    }

    private final Map<String, Asset> assets = new TreeMap<>();
    private final String build;
    private final byte[] page;
    private final String scriptHash;

    UiAssets() throws IOException {
        PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
        Resource root = resolver.getResource("classpath:ui/");
        String rootUrl = root.getURL().toString();
        for (Resource resource : resolver.getResources("classpath*:ui/**/*.*")) {
            String url = resource.getURL().toString();
            if (!url.startsWith(rootUrl)) {
                continue;
            }
            String path = url.substring(rootUrl.length());
            if (!path.equals(PAGE)) {
                assets.put(path, asset(path, read(resource)));
            }
        }
        for (Map.Entry<String, String[]> vendor : VENDOR.entrySet()) {
            // Exact paths: a wildcard finds nothing in jars without directory entries (mvnpm's).
            Properties pom = new Properties();
            pom.load(new ByteArrayInputStream(read(resolver.getResource(
                    "classpath:META-INF/maven/" + vendor.getValue()[0] + "/pom.properties"))));
            String path = vendor.getValue()[1].replace("{version}", pom.getProperty("version"));
            assets.put(vendor.getKey(), asset(vendor.getKey(), read(resolver.getResource("classpath:" + path))));
        }
        MessageDigest digest = sha256();
        assets.forEach((path, asset) -> {
            digest.update(path.getBytes(StandardCharsets.UTF_8));
            digest.update(asset.bytes());
        });
        String template = new String(read(resolver.getResource("classpath:ui/" + PAGE)), StandardCharsets.UTF_8);
        digest.update(template.getBytes(StandardCharsets.UTF_8));
        build = HexFormat.of().formatHex(digest.digest(), 0, 8);
        String base = "/ui/assets/" + build + "/";
        String importMap = "{\"imports\":{\"preact\":\"" + base + "vendor/preact.js\",\"preact/hooks\":\"" + base
                + "vendor/preact-hooks.js\",\"htm\":\"" + base + "vendor/htm.js\",\"uplot\":\"" + base + "vendor/uplot.js\"}}";
        // The import map is the page's only inline script; the policy allows exactly it by digest.
        scriptHash = "sha256-" + Base64.getEncoder().encodeToString(sha256().digest(importMap.getBytes(StandardCharsets.UTF_8)));
        page = template.replace("{{assets}}", base).replace("{{importmap}}", importMap).getBytes(StandardCharsets.UTF_8);
    }

    /** The digest naming this set of files in their URLs. */
    String build() {
        return build;
    }

    /** The page every dashboard address answers with. */
    byte[] page() {
        return page;
    }

    /**
     * The {@code Content-Security-Policy} of the page; {@code tokenOrigins} are the OIDC
     * providers' token endpoints' origins, which the page's login calls.
     */
    String contentSecurityPolicy(Collection<String> tokenOrigins) {
        String connect = tokenOrigins.isEmpty() ? "" : " " + String.join(" ", tokenOrigins);
        return "default-src 'none'; script-src 'self' '" + scriptHash + "'; style-src 'self'; img-src 'self' blob: data:; "
                + "media-src 'self' blob:; font-src 'self'; connect-src 'self'" + connect + "; frame-src 'self' blob:; "
                + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    /** The file at {@code path} of {@code build}; empty for another build, whose files are gone. */
    Optional<Asset> asset(String build, String path) {
        return this.build.equals(build) ? Optional.ofNullable(assets.get(path)) : Optional.empty();
    }

    private static Asset asset(String path, byte[] bytes) {
        MediaType type = path.endsWith(".js") ? MediaType.parseMediaType("text/javascript;charset=UTF-8")
                : MediaTypeFactory.getMediaType(path).orElse(MediaType.APPLICATION_OCTET_STREAM);
        return new Asset(bytes, type);
    }

    private static byte[] read(Resource resource) {
        try (InputStream in = resource.getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the dashboard file " + resource, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
