package io.granary.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.usage.DailyUsage;
import io.granary.usage.UsageHistoryRepository;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/** The usage charts and the audit log through the dashboard. */
class UsageAuditTest extends AdminBrowserTestSupport {

    @Autowired
    UsageHistoryRepository history;

    @Test
    void drawsTheUsageHistoryAsCharts() {
        String tenant = createTenant(unique("use"));
        String key = createKey(tenant, List.of("admin"), null);
        String bucket = unique("media");
        createBucket(key, bucket, Map.of());
        String user = unique("uma");
        createUser(tenant, user, "tenant-admin");
        for (int i = 1; i <= 3; i++) {
            http.put().uri("/v1/buckets/{b}/objects/f{i}.bin", bucket, i).header("X-Api-Key", key)
                    .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(new byte[100_000 * i])
                    .exchange().expectStatus().isOk().expectBody();
        }
        http.get().uri("/v1/buckets/{b}/objects/f3.bin", bucket).header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectBody();
        // The days before today, as the daily job would have written them.
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<DailyUsage> stored = new ArrayList<>();
        List<DailyUsage> traffic = new ArrayList<>();
        for (int back = 1; back <= 20; back++) {
            LocalDate day = today.minusDays(back);
            stored.add(DailyUsage.stored(tenant, DailyUsage.TENANT, day, 30_000L * (20 - back), 20 - back));
            traffic.add(DailyUsage.traffic(tenant, DailyUsage.TENANT, day, 40 + back % 7 * 10, 50_000L * (back % 5)));
        }
        history.snapshot(stored).then(history.addTraffic(traffic)).block(Duration.ofSeconds(10));
        // Today's requests arrive with the next flush of the counters (every 10 seconds).
        new WebDriverWait(browser, Duration.ofSeconds(40)).until(driver -> todayRequests(key) > 0);

        logIn(user, USER_PASSWORD);
        browser.findElement(By.linkText("Usage")).click();
        // Four charts, each with something drawn on its canvas.
        waiting().ignoring(StaleElementReferenceException.class).until(driver -> plots(driver).size() == 4
                && plots(driver).stream().allMatch(canvas -> paintedPixels(canvas) > 100));
        assertThat(visible(".chart [role=img]").getAttribute("aria-label"))
                .startsWith("Bytes stored from " + today.minusDays(29) + " to " + today + ": 586 KiB on " + today);
        browser.findElement(By.cssSelector("details.figures summary")).click();
        assertThat(withText("details.figures tbody tr", today.toString()).getText()).contains("586 KiB", "3");
        screenshot("usage-light");

        button("7 days").click();
        waiting().until(driver -> driver.findElements(By.cssSelector("details.figures tbody tr")).size() == 7);
        assertThat(browser.getCurrentUrl()).contains("from=" + today.minusDays(6), "to=" + today);
        new Select(visible("form.filters select")).selectByValue(bucket);
        withText("details.figures caption", "bucket " + bucket);
        assertThat(visible(".chart [role=img]").getAttribute("aria-label")).contains("586 KiB on " + today);

        // The charts follow the window: at 360 px they fit.
        browser.manage().window().setSize(new Dimension(360, 800));
        waiting().ignoring(StaleElementReferenceException.class)
                .until(driver -> plots(driver).stream().allMatch(canvas -> canvas.getSize().getWidth() <= 340));
        screenshot("usage-narrow-light");
        browser.manage().window().setSize(new Dimension(1280, 900));

        inDarkMode(() -> {
            logIn(user, USER_PASSWORD);
            browser.findElement(By.linkText("Usage")).click();
            waiting().until(driver -> plots(driver).size() == 4);
            screenshot("usage-dark");
        });
    }

    @Test
    void filtersAndPagesTheAuditLog() {
        String tenant = createTenant(unique("aud"));
        String key = createKey(tenant, List.of("admin"), null);
        String photos = unique("photos");
        String other = unique("other");
        createBucket(key, photos, Map.of());
        createBucket(key, other, Map.of());
        for (int i = 0; i < 55; i++) {
            http.post().uri("/v1/buckets/{b}/signed-urls", photos).header("X-Api-Key", key)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "k" + i + ".txt"))
                    .exchange().expectStatus().isOk().expectBody();
        }
        // After the 55 events of photos: the bucket filter reads them on the server, not page by page here.
        http.post().uri("/v1/buckets/{b}/signed-urls", other).header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", "late.txt"))
                .exchange().expectStatus().isOk().expectBody();
        String user = unique("aud");
        String userId = createUser(tenant, user, "tenant-admin");

        logIn(user, USER_PASSWORD);
        browser.findElement(By.linkText("Audit")).click();
        withText("table.events tbody tr", "bucket_created");
        screenshot("audit-light");

        new Select(visible("select[name=type]")).selectByValue("bucket_created");
        button("Filter").click();
        waiting().until(driver -> rows(driver).size() == 2);
        type("input[name=bucket]", photos);
        button("Filter").click();
        waiting().until(driver -> rows(driver).size() == 1 && rows(driver).get(0).getText().contains("bucket:" + photos));
        assertThat(browser.getCurrentUrl()).contains("type=bucket_created", "bucket=" + photos);

        // Paging: 55 signed URLs of one bucket make a full page of 50 and a second one of 5.
        button("Clear").click();
        new Select(visible("select[name=type]")).selectByValue("signed_url_issued");
        type("input[name=bucket]", photos);
        button("Filter").click();
        waiting().until(driver -> rows(driver).size() == 50);
        button("Next page").click();
        waiting().until(driver -> rows(driver).size() == 5);
        assertThat(rows(browser).get(4).getText()).contains("object:" + photos + "/k54.txt");
        assertThat(button("Next page").isEnabled()).isFalse();
        button("Previous page").click();
        waiting().until(driver -> rows(driver).size() == 50);

        // The bucket filter alone: the other bucket's two events, the second after 55 of photos.
        button("Clear").click();
        type("input[name=bucket]", other);
        button("Filter").click();
        waiting().until(driver -> rows(driver).size() == 2 && rows(driver).get(1).getText().contains("object:" + other + "/late.txt"));
        assertThat(button("Next page").isEnabled()).isFalse();

        // The actor filter, exact: the user's own login, not the key's actions.
        button("Clear").click();
        type("input[name=actor]", "user:" + userId);
        button("Filter").click();
        waiting().until(driver -> !rows(driver).isEmpty() && rows(driver).stream().allMatch(row -> row.getText().contains("login")));
        // An actor in the table is a shortcut to its filter; combined with the bucket's.
        button("Clear").click();
        type("input[name=bucket]", other);
        button("Filter").click();
        waiting().until(driver -> rows(driver).size() == 2);
        rows(browser).get(0).findElement(By.cssSelector("td button.link")).click();
        waiting().until(driver -> browser.getCurrentUrl().contains("actor=key"));
        waiting().until(driver -> rows(driver).size() == 2
                && rows(driver).stream().allMatch(row -> row.getText().contains(other) && row.getText().contains("key:")));
        assertThat(browser.getCurrentUrl()).contains("bucket=" + other);
        type("input[name=bucket]", "Bad_Name");
        button("Filter").click();
        withText(".error", "bucket name");

        inDarkMode(() -> {
            logIn(user, USER_PASSWORD);
            browser.findElement(By.linkText("Audit")).click();
            withText("table.events tbody tr", "bucket_created");
            screenshot("audit-dark");
        });
    }

    private static List<WebElement> rows(org.openqa.selenium.WebDriver driver) {
        return driver.findElements(By.cssSelector("table.events tbody tr"));
    }

    private static List<WebElement> plots(org.openqa.selenium.WebDriver driver) {
        return driver.findElements(By.cssSelector(".chart .plot canvas"));
    }

    /** How many pixels of a canvas have been painted (not transparent). */
    private long paintedPixels(WebElement canvas) {
        Object count = ((JavascriptExecutor) browser).executeScript(
                "const c = arguments[0]; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        + "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;", canvas);
        return ((Number) count).longValue();
    }

    @SuppressWarnings("unchecked")
    private long todayRequests(String key) {
        List<Map<String, Object>> days = (List<Map<String, Object>>) getJson("/v1/usage/history", "X-Api-Key", key).get("days");
        return ((Number) days.get(days.size() - 1).get("requests")).longValue();
    }
}
