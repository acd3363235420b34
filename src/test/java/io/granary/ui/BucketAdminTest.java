package io.granary.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/** Buckets through the dashboard: the list with figures, create, edit (lifecycle, CORS, presets), typed-name delete. */
class BucketAdminTest extends AdminBrowserTestSupport {

    @Test
    void createsEditsAndDeletesABucket() {
        String tenant = createTenant(unique("bk"));
        String key = createKey(tenant, List.of("admin"), null);
        String user = unique("bea");
        createUser(tenant, user, "tenant-admin");
        String bucket = unique("docs");

        logIn(user, USER_PASSWORD);
        assertThat(visible(".empty").getText()).contains("New bucket");
        browser.findElement(By.linkText("New bucket")).click();
        type("input[name=name]", bucket);
        new org.openqa.selenium.support.ui.Select(visible("select[name=visibility]")).selectByValue("public");
        type("input[name=maxObjectSize]", "10 MB");
        type("input[name=quotaBytes]", "1.5 GiB");
        type("input[name=quotaObjects]", "500");
        type("input[name=allowedContentTypes]", "image/*, application/pdf");
        type("input[name=cacheControl]", "public, max-age=60");
        button("Create bucket").click();
        withText("h1", bucket);

        Map<String, Object> stored = getJson("/v1/buckets/" + bucket, "X-Api-Key", key);
        assertThat(stored).containsEntry("visibility", "public").containsEntry("maxObjectSize", 10_000_000)
                .containsEntry("quotaBytes", 1_610_612_736).containsEntry("quotaObjects", 500)
                .containsEntry("allowedContentTypes", List.of("image/*", "application/pdf"))
                .containsEntry("cacheControl", "public, max-age=60");
        // The sizes read back exactly as they were stored.
        assertThat(visible("input[name=maxObjectSize]").getAttribute("value")).isEqualTo("10 MB");
        assertThat(visible("input[name=quotaBytes]").getAttribute("value")).isEqualTo("1536 MiB");

        // A bad size is the user's to fix, said in words; nothing is sent.
        type("input[name=maxObjectSize]", "2.5 bytes");
        button("Save settings").click();
        assertThat(visible("[role=alert]").getText()).contains("not a whole number of bytes");
        assertThat(visible("#visibility-help").getText()).contains("/public/<tenant>/<bucket>/<key>");
        type("input[name=maxObjectSize]", "");
        type("input[name=cacheControl]", "");
        browser.findElement(By.cssSelector("input[name=redirectDownloads]")).click();
        button("Save settings").click();
        withText(".ok", "Settings saved");
        stored = getJson("/v1/buckets/" + bucket, "X-Api-Key", key);
        assertThat(stored).containsEntry("maxObjectSize", null).containsEntry("cacheControl", null)
                .containsEntry("redirectDownloads", true).containsEntry("quotaBytes", 1_610_612_736);

        // Lifecycle rules: the API's refusal in its words, then a rule stored and shown after a reload.
        button("Add lifecycle rule").click();
        type("input[name=lifecycleId0]", "logs");
        type("input[name=lifecyclePrefix0]", "logs/");
        type("input[name=expireAfterDays0]", "0");
        button("Save lifecycle rules").click();
        withText("[role=alert]", "'lifecycleRules[0].expireAfterDays' must be a whole number of days from 1 to 36500");
        assertThat(getJson("/v1/buckets/" + bucket, "X-Api-Key", key).get("lifecycleRules")).isEqualTo(List.of());
        type("input[name=expireAfterDays0]", "30");
        type("input[name=abortUploadsAfterDays0]", "7");
        button("Save lifecycle rules").click();
        withText(".ok", "Lifecycle rules saved");
        assertThat(getJson("/v1/buckets/" + bucket, "X-Api-Key", key).get("lifecycleRules")).isEqualTo(List.of(Map.of(
                "id", "logs", "prefix", "logs/", "expireAfterDays", 30, "abortIncompleteUploadsAfterDays", 7)));
        browser.navigate().refresh();
        assertThat(visible("input[name=lifecyclePrefix0]").getAttribute("value")).isEqualTo("logs/");
        assertThat(visible("input[name=lifecycleId0]").getAttribute("value")).isEqualTo("logs");
        assertThat(visible("input[name=expireAfterDays0]").getAttribute("value")).isEqualTo("30");
        assertThat(visible("input[name=abortUploadsAfterDays0]").getAttribute("value")).isEqualTo("7");
        lifecycleScreenshot("bucket-lifecycle-light");
        // The files view says when an object under the rule's prefix expires, and only then.
        for (String object : List.of("logs/a.pdf", "keep.pdf")) {
            http.put().uri("/v1/buckets/{b}/objects/" + object, bucket).header("X-Api-Key", key)
                    .contentType(MediaType.APPLICATION_PDF).bodyValue("%PDF-1.4 x".getBytes()).exchange()
                    .expectStatus().isOk().expectBody();
        }
        browser.get(ui("/ui/b/" + bucket + "/logs/?open=logs/a.pdf"));
        assertThat(withText(".details", "Expires").getText()).contains("(lifecycle rule logs)");
        browser.get(ui("/ui/b/" + bucket + "/?open=keep.pdf"));
        assertThat(withText(".details", "Version").getText()).doesNotContain("Expires");
        for (String object : List.of("logs/a.pdf", "keep.pdf")) {
            http.delete().uri("/v1/buckets/{b}/objects/" + object, bucket).header("X-Api-Key", key).exchange()
                    .expectStatus().is2xxSuccessful();
        }
        browser.get(ui("/ui/buckets/" + bucket + "/settings"));

        button("Add rule").click();
        type("input[name=allowedOrigins0]", "https://app.example.com");
        type("input[name=exposeHeaders0]", "ETag");
        type("input[name=maxAgeSeconds0]", "600");
        button("Save CORS rules").click();
        withText(".ok", "CORS rules saved");
        assertThat(getJson("/v1/buckets/" + bucket + "/cors", "X-Api-Key", key).get("rules")).isEqualTo(List.of(Map.of(
                "allowedOrigins", List.of("https://app.example.com"), "allowedMethods", List.of("GET", "HEAD"),
                "allowedHeaders", List.of(), "exposeHeaders", List.of("ETag"), "maxAgeSeconds", 600)));

        button("Add preset").click();
        type("input[name=presetName0]", "thumb");
        type("input[name=presetTransform0]", "width=150&height=150&fit=cover&format=webp");
        button("Save presets").click();
        withText(".ok", "Presets saved");
        assertThat(getJson("/v1/buckets/" + bucket + "/image-presets", "X-Api-Key", key).get("presets")).isEqualTo(List.of(
                Map.of("name", "thumb", "transform", Map.of("width", "150", "height", "150", "fit", "cover", "format", "webp"),
                        "pregenerate", false)));
        // A transform the image feature refuses comes back in its own words.
        type("input[name=presetTransform0]", "width=99999");
        button("Save presets").click();
        withText("[role=alert]", "width must be an integer");
        screenshot("bucket-settings-light");

        http.put().uri("/v1/buckets/{b}/objects/a.pdf", bucket).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_PDF).bodyValue("%PDF-1.4 hello".getBytes()).exchange().expectStatus().isOk().expectBody();
        browser.findElement(By.linkText("Buckets")).click();
        assertThat(withText("table.buckets tbody tr", bucket).getText()).contains("1 of 500", "public");
        screenshot("buckets-light");

        inDarkMode(() -> {
            logIn(user, USER_PASSWORD);
            withText("table.buckets a", bucket);
            screenshot("buckets-dark");
            browser.findElement(By.cssSelector("a[aria-label='Settings of " + bucket + "']")).click();
            withText("h2", "Image presets");
            screenshot("bucket-settings-dark");
            lifecycleScreenshot("bucket-lifecycle-dark");
        });

        browser.findElement(By.cssSelector("a[aria-label='Settings of " + bucket + "']")).click();
        button("Delete bucket…").click();
        assertThat(button("Delete bucket").isEnabled()).isFalse();
        visible("dialog input[name=confirm]").sendKeys(bucket.substring(1));
        assertThat(button("Delete bucket").isEnabled()).isFalse();
        type("dialog input[name=confirm]", bucket);
        screenshot("bucket-delete-light");
        button("Delete bucket").click();
        withText("h1", "Buckets");
        expectProblem(http.get().uri("/v1/buckets/" + bucket).header("X-Api-Key", key).exchange(),
                HttpStatus.NOT_FOUND, "bucket_not_found");
        assertThat(String.join("\n", console())).doesNotContain("Uncaught").doesNotContain("TypeError");
    }

    /** The Lifecycle section at the top of the window, then a screenshot. */
    private void lifecycleScreenshot(String name) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'start'})",
                withText("h2", "Lifecycle"));
        screenshot(name);
    }
}
