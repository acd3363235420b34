package io.granary.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dashboard's login at an OIDC provider (mock-oauth2-server): the authorization-code flow
 * with PKCE run by the page itself, whose access token then calls the API; nothing of it is
 * left in the browser's storage.
 */
class OidcDashboardLoginTest extends BrowserTestSupport {

    private static final MockOAuth2Server OIDC = new MockOAuth2Server();
    private static final String CORP = "corp";
    private static final Path DATA = tempDir();

    static {
        OIDC.start();
    }

    @DynamicPropertySource
    static void oidc(DynamicPropertyRegistry registry) {
        registry.add("granary.test.data-dir", DATA::toString);
        registry.add("granary.auth.issuers[0].issuer-uri", () -> OIDC.issuerUrl(CORP).toString());
        registry.add("granary.ui.oidc.issuer", () -> OIDC.issuerUrl(CORP).toString());
        registry.add("granary.ui.oidc.client-id", () -> "granary-dashboard");
        registry.add("granary.ui.oidc.name", () -> "Corp SSO");
    }

    @AfterAll
    static void stopProvider() {
        OIDC.shutdown();
    }

    @Test
    void logsInAtTheProviderWithPkceAndCallsTheApiWithItsAccessToken() {
        String tenant = unique("sso");
        String key = createKey(createTenant(tenant), List.of("admin"), null);
        String bucket = unique("sso-bucket");
        createBucket(key, bucket, Map.of());
        OIDC.enqueueCallback(new DefaultOAuth2TokenCallback(CORP, "alice", "JWT", List.of("granary"),
                Map.of("tenant", tenant, "roles", List.of("granary:tenant-admin"), "preferred_username", "alice"), 300));

        browser.get(ui("/ui/login"));
        withText("button", "Log in with Corp SSO").click();
        // The provider answers at once (no login page in the mock) and the page finishes the flow.
        withText(".buckets a", bucket);
        assertThat(browser.getCurrentUrl()).endsWith("/ui/buckets");
        assertThat(withText(".who", "alice")).isNotNull();
        screenshot("login-oidc");
        JavascriptExecutor page = (JavascriptExecutor) browser;
        assertThat(page.executeScript("return localStorage.length + sessionStorage.length")).isEqualTo(0L);
        // The authorization request carried a S256 challenge, never the verifier.
        String authorize = "";
        while (!authorize.contains("/authorize")) {
            authorize = OIDC.takeRequest(5, java.util.concurrent.TimeUnit.SECONDS).getRequestUrl().toString();
        }
        assertThat(authorize).contains("code_challenge_method=S256", "code_challenge=").doesNotContain("code_verifier");

        browser.findElement(By.xpath("//button[normalize-space()='Log out']")).click();
        visible("input[name=username]");
    }
}
