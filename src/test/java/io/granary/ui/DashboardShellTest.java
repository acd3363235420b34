package io.granary.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * The dashboard's page and files as served (cache headers, the content security policy) and
 * the policy enforced in a real browser; logging in and out.
 */
class DashboardShellTest extends BrowserTestSupport {

    private static final Pattern ASSET = Pattern.compile("/ui/assets/([0-9a-f]+)/js/main\\.js");

    @Test
    void pageIsNeverCachedAndItsFilesAreKeptForAYear() {
        for (String path : List.of("/ui", "/ui/", "/ui/b/photos/2026/summer/", "/ui/keys")) {
            EntityExchangeResult<String> page = http.get().uri(path).exchange().expectStatus().isOk()
                    .expectHeader().cacheControl(org.springframework.http.CacheControl.noCache())
                    .expectBody(String.class).returnResult();
            HttpHeaders headers = page.getResponseHeaders();
            assertThat(headers.getContentType().toString()).startsWith("text/html");
            assertThat(headers.getFirst("Content-Security-Policy")).contains("default-src 'none'", "frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
            assertThat(headers.getFirst("X-Frame-Options")).isEqualTo("DENY");
        }
        String page = http.get().uri("/ui").exchange().expectBody(String.class).returnResult().getResponseBody();
        Matcher main = ASSET.matcher(page);
        assertThat(main.find()).as(page).isTrue();
        String build = main.group(1);
        for (String file : List.of("js/main.js", "app.css", "vendor/preact.js", "vendor/htm.js", "vendor/uplot.js")) {
            http.get().uri("/ui/assets/{build}/" + file, build).exchange().expectStatus().isOk()
                    .expectHeader().valueEquals("Cache-Control", "max-age=31536000, public, immutable")
                    .expectBody();
        }
        http.get().uri("/ui/assets/{build}/js/main.js", build).exchange()
                .expectHeader().contentType("text/javascript;charset=UTF-8").expectBody();
        // Another build's files are gone: a page that old must reload, not get today's files.
        expectProblem(http.get().uri("/ui/assets/0000000000000000/js/main.js").exchange(), HttpStatus.NOT_FOUND, "not_found");
        expectProblem(http.get().uri("/ui/assets/{build}/js/nothing.js", build).exchange(), HttpStatus.NOT_FOUND, "not_found");
    }

    @Test
    void logsInShowsTheBucketsAndLogsOut() {
        String tenant = createTenant(unique("ui"));
        String key = createKey(tenant, List.of("admin"), null);
        String bucket = unique("pics");
        createBucket(key, bucket, Map.of());
        String user = unique("ann");
        createUser(tenant, user, "tenant-admin");

        browser.get(ui("/ui"));
        visible("input[name=username]").sendKeys(user);
        browser.findElement(By.cssSelector("input[name=password]")).sendKeys("not the password");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        // The API's own words.
        assertThat(visible("[role=alert]").getText()).containsIgnoringCase("password");
        screenshot("login-failed");

        logIn(user, USER_PASSWORD);
        withText(".buckets a", bucket);
        screenshot("buckets");
        JavascriptExecutor page = (JavascriptExecutor) browser;
        // No token where a script could read it: the refresh cookie is HttpOnly, the access token in memory.
        assertThat(page.executeScript("return document.cookie + localStorage.length + sessionStorage.length")).isEqualTo("00");
        // A reload keeps the session (the refresh cookie), and the address.
        browser.navigate().refresh();
        withText(".buckets a", bucket);
        assertThat(browser.getCurrentUrl()).endsWith("/ui/buckets");

        browser.findElement(By.xpath("//button[normalize-space()='Log out']")).click();
        visible("input[name=username]");
        assertThat(browser.getCurrentUrl()).endsWith("/ui/login");
        // The session ended on the server: a reload does not bring it back.
        browser.navigate().refresh();
        visible("input[name=username]");
    }

    @Test
    void storedHtmlAndSvgRunNoScriptInGranarysOrigin() {
        String tenant = unique("xss");
        String key = createKey(createTenant(tenant), List.of("admin"), null);
        createBucket(key, "site", Map.of("visibility", "public"));
        Map<String, String> documents = Map.of(
                "page.html", "<html><head><title>stored</title></head><body><script>document.title = 'ran'</script></body></html>",
                "drawing.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>stored</title>"
                        + "<script>document.title = 'ran'</script></svg>");
        documents.forEach((name, body) -> {
            http.put().uri("/v1/buckets/site/objects/" + name).header("X-Api-Key", key)
                    .contentType(org.springframework.http.MediaType.parseMediaType(
                            name.endsWith(".svg") ? "image/svg+xml" : "text/html"))
                    .bodyValue(body).exchange().expectStatus().isOk().expectBody();
            browser.get(ui("/public/" + tenant + "/site/" + name));
            waiting().until(driver -> "complete".equals(((JavascriptExecutor) driver).executeScript("return document.readyState")));
            assertThat(browser.getTitle()).as(name).isNotEqualTo("ran");
            // An opaque origin: not Granary's, so no cookie, storage or same-origin request of it.
            assertThat(((JavascriptExecutor) browser).executeScript("return window.origin")).as(name).isEqualTo("null");
        });
    }

    @Test
    void theContentSecurityPolicyStopsAnInjectedScript() {
        browser.get(ui("/ui/login"));
        visible("input[name=username]");
        // As markup injected by a flaw would: an inline script element added to the page.
        Object ran = ((JavascriptExecutor) browser).executeScript(
                "const script = document.createElement('script');"
                        + "script.textContent = 'window.injected = true';"
                        + "document.head.appendChild(script);"
                        + "return window.injected === true;");
        assertThat(ran).isEqualTo(false);
        assertThat(String.join("\n", console())).contains("Content Security Policy");
    }
}
