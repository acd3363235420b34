package io.granary.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.util.UriUtils;

/**
 * The files screen end to end in Chromium: folders, deep links and the back button; previews
 * of an image, a PDF and a text file, the grid's thumbnails and the details panel; sharing a
 * link fetched without a session; bulk delete, rename and new folder; and bucket content that
 * must never run in the dashboard's origin.
 */
class FilesBrowserTest extends BrowserTestSupport {

    static final String EVIL_HTML = "<img src=x onerror=alert(1)>.html";
    // A one-page PDF saying "Quarterly report" (no cross-reference table: viewers rebuild it).
    static final byte[] PDF = """
            %PDF-1.4
            1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
            2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
            3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R
              /Resources << /Font << /F1 5 0 R >> >> >> endobj
            4 0 obj << /Length 50 >> stream
            BT /F1 24 Tf 40 100 Td (Quarterly report) Tj ET
            endstream endobj
            5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
            trailer << /Root 1 0 R >>
            %%EOF
            """.getBytes(StandardCharsets.US_ASCII);

    static final HttpClient CLIENT = HttpClient.newHttpClient();

    String tenantName;
    String key;
    String bucket;
    String user;

    @BeforeEach
    void files() {
        tenantName = unique("ui");
        String tenant = createTenant(tenantName);
        key = createKey(tenant, List.of("admin"), null);
        bucket = unique("files");
        createBucket(key, bucket, Map.of());
        user = unique("fay");
        createUser(tenant, user, "tenant-admin");
        put("docs/readme.txt", MediaType.TEXT_PLAIN, "Hello from Granary\n".getBytes(StandardCharsets.UTF_8));
        put("docs/data.json", MediaType.APPLICATION_JSON, "{\"answer\": 42}".getBytes(StandardCharsets.UTF_8));
        put("docs/old-name.txt", MediaType.TEXT_PLAIN, "rename me".getBytes(StandardCharsets.UTF_8));
        put("docs/report.pdf", MediaType.APPLICATION_PDF, PDF);
        put("photos/cat.png", MediaType.IMAGE_PNG, png());
        put("photos/2026/summer.png", MediaType.IMAGE_PNG, png());
        for (String name : List.of("a", "b", "c", "d")) {
            put("trash/" + name + ".txt", MediaType.TEXT_PLAIN, name.getBytes(StandardCharsets.UTF_8));
        }
        put(EVIL_HTML, MediaType.TEXT_HTML, "<script>window.top.pwned = true; alert(1)</script>".getBytes(StandardCharsets.UTF_8));
        put("evil.svg", MediaType.valueOf("image/svg+xml"), ("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"window.top.pwned = true\">"
                + "<script>window.top.pwned = true; alert(2)</script></svg>").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void browsesIntoFoldersAndBackAndOpensDeepLinks() {
        logIn(user, USER_PASSWORD);
        withText(".buckets a", bucket).click();
        withText(".file-row a.name", "photos/").click();
        withText(".file-row .name", "cat.png");
        withText(".file-row a.name", "2026/").click();
        withText(".file-row .name", "summer.png");
        assertThat(browser.getCurrentUrl()).endsWith("/ui/b/" + bucket + "/photos/2026/");
        assertThat(visible("nav.crumbs").getText()).contains("Buckets", bucket, "photos", "2026");
        browser.navigate().back();
        withText(".file-row .name", "cat.png");
        assertThat(browser.getCurrentUrl()).endsWith("/ui/b/" + bucket + "/photos/");
        browser.navigate().back();
        withText(".file-row a.name", "docs/");
        screenshot("files-light");
        browser.navigate().forward();
        withText(".file-row .name", "cat.png");

        // A deep link to an object opened by someone logged out: the folder with the object
        // open, after logging in there.
        forgetSession(browser);
        browser.get(ui("/ui/b/" + bucket + "/docs/?open=docs%2Freadme.txt"));
        visible("input[name=username]").sendKeys(user);
        browser.findElement(By.cssSelector("input[name=password]")).sendKeys(USER_PASSWORD);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        withText("pre.text-preview", "Hello from Granary");
        assertThat(visible("h1").getText()).isEqualTo("docs");

        // Prefix search lists from the server; the filter narrows what is loaded.
        WebElement search = browser.findElement(By.xpath("//label[contains(., 'Find names starting with')]/input"));
        search.sendKeys("re");
        waiting().until(driver -> names().equals(List.of("readme.txt", "report.pdf")));
        search.sendKeys(Keys.BACK_SPACE, Keys.BACK_SPACE);
        waiting().until(driver -> names().size() == 4);
        browser.findElement(By.xpath("//label[contains(., 'Filter loaded')]/input")).sendKeys(".json");
        waiting().until(driver -> names().equals(List.of("data.json")));
        // Switching folders faster than they load: the last one shows, nothing stays loading.
        ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                (async () => {
                  for (const folder of ['photos/', 'trash/', 'photos/2026/', 'docs/']) {
                    history.pushState(null, '', '/ui/b/' + arguments[0] + '/' + folder);
                    dispatchEvent(new PopStateEvent('popstate'));
                    await new Promise((resolve) => setTimeout(resolve, 15));
                  }
                })().then(done);""", bucket);
        withText(".list-status [role=status]", "4 shown of 4 loaded");
        assertThat(names()).containsExactly("data.json", "old-name.txt", "readme.txt", "report.pdf");

        // At 360 px wide: the same screen, the date column dropped, the panel below the list.
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(360, 780));
        withText(".file-row .name", "readme.txt").click();
        withText("pre.text-preview", "Hello from Granary");
        screenshot("files-narrow-light");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));

        // No script error (failed loads, such as the refresh without a cookie at start, are expected).
        assertThat(console()).noneMatch(line -> line.contains("Uncaught"));
    }

    @Test
    void previewsAnImageAPdfAndTextShowsThumbnailsAndEditsDetails() {
        logIn(user, USER_PASSWORD);
        open("photos/", "cat.png");
        WebElement image = visible("img.preview-image");
        waiting().until(driver -> loaded(image));
        assertThat(image.getAttribute("src")).contains("token=", "width=800", "format=auto").startsWith(ui("/v1/"));
        screenshot("preview-image-light");

        browser.findElement(By.xpath("//button[normalize-space()='Grid view']")).click();
        WebElement thumbnail = visible(".tile img.thumb");
        waiting().until(driver -> loaded(thumbnail));
        assertThat(thumbnail.getAttribute("src")).startsWith("blob:");
        screenshot("grid-light");
        browser.findElement(By.xpath("//button[normalize-space()='List view']")).click();

        open("docs/", "report.pdf");
        WebElement frame = visible("iframe.preview-pdf");
        assertThat(frame.getAttribute("src")).contains("token=", "versionId=");
        assertThat(frame.getAttribute("sandbox")).isNull();
        HttpResponse<String> pdf = fetch(frame.getAttribute("src"));
        assertThat(pdf.statusCode()).isEqualTo(200);
        assertThat(pdf.headers().firstValue("Content-Type")).hasValue("application/pdf");
        assertThat(pdf.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        sleep(1500); // the viewer draws the page
        screenshot("preview-pdf-light");

        open("docs/", "readme.txt");
        withText("pre.text-preview", "Hello from Granary");
        screenshot("preview-text-light");

        // Details: metadata and tags, saved with PATCH and read back through the API.
        assertThat(visible("dl.details").getText()).contains("19 B", "text/plain", "\"");
        browser.findElement(By.xpath("//button[normalize-space()='Add metadata']")).click();
        browser.findElement(By.cssSelector("input[aria-label='Metadata name 1']")).sendKeys("camera");
        browser.findElement(By.cssSelector("input[aria-label='Metadata value 1']")).sendKeys("x100");
        browser.findElement(By.xpath("//button[normalize-space()='Add tags']")).click();
        browser.findElement(By.cssSelector("input[aria-label='Tags name 1']")).sendKeys("project");
        browser.findElement(By.cssSelector("input[aria-label='Tags value 1']")).sendKeys("granary");
        browser.findElement(By.cssSelector("input[placeholder=\"(the bucket's)\"]")).sendKeys("no-cache");
        browser.findElement(By.xpath("//button[normalize-space()='Save details']")).click();
        withText(".edit-details [role=status]", "Saved.");
        screenshot("details-light");
        http.get().uri("/v1/buckets/{b}/objects?prefix=docs/readme.txt", bucket).header("X-Api-Key", key).exchange()
                .expectBody().jsonPath("$.objects[0].metadata.camera").isEqualTo("x100")
                .jsonPath("$.objects[0].tags.project").isEqualTo("granary")
                .jsonPath("$.objects[0].cacheControl").isEqualTo("no-cache");

        inDark(() -> {
            logIn(user, USER_PASSWORD);
            open("photos/", "cat.png");
            waiting().until(driver -> loaded(visible("img.preview-image")));
            screenshot("preview-image-dark");
            browser.findElement(By.xpath("//button[normalize-space()='Grid view']")).click();
            waiting().until(driver -> loaded(visible(".tile img.thumb")));
            screenshot("grid-dark");
            browser.findElement(By.xpath("//button[normalize-space()='List view']")).click();
            open("docs/", "readme.txt");
            withText("pre.text-preview", "Hello from Granary");
            screenshot("details-dark");
            withText(".file-row a.name, nav.crumbs a", bucket).click();
            withText(".file-row a.name", "docs/");
            screenshot("files-dark");
            return null;
        });

        // Audio plays from a signed URL: the player reads its header through ranges.
        put("media/tone.wav", MediaType.valueOf("audio/wav"), wav());
        put("media/clip.webm", MediaType.valueOf("video/webm"), new byte[] {0x1a, 0x45, (byte) 0xdf, (byte) 0xa3, 0, 0, 0, 0});
        open("media/", "tone.wav");
        WebElement audio = visible("audio");
        assertThat(audio.getAttribute("src")).contains("token=");
        waiting().until(driver -> ((Number) ((JavascriptExecutor) driver).executeScript(
                "return arguments[0].duration || 0", audio)).doubleValue() > 0.9);
        assertThat(fetch(audio.getAttribute("src"), "Range", "bytes=0-3").statusCode()).isEqualTo(206);
        // A video gets the same player, seeking by ranges.
        withText(".file-row .name", "clip.webm").click();
        withText(".object-panel h2", "clip.webm");
        WebElement video = visible("video.preview-media");
        assertThat(video.getAttribute("src")).contains("token=");
        assertThat(fetch(video.getAttribute("src"), "Range", "bytes=0-3").statusCode()).isEqualTo(206);
    }

    @Test
    void sharesALinkThatWorksWithoutASessionAndThePublicAddress() {
        logIn(user, USER_PASSWORD);
        open("docs/", "readme.txt");
        browser.findElement(By.xpath("//aside//button[normalize-space()='Share']")).click();
        // The presets within the server's limit (GET / limits: 7 days by default).
        Select lifetime = new Select(visible("dialog select"));
        assertThat(lifetime.getOptions()).extracting(WebElement::getText)
                .containsExactly("15 minutes", "1 hour", "1 day", "7 days (the longest allowed)", "Custom…");
        lifetime.selectByVisibleText("7 days (the longest allowed)");
        withText("dialog p", "Expires about");
        assertThat(visible("dialog .share-note").getText()).contains("(" + user + ") is disabled or deleted");
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        browser.findElement(By.xpath("//dialog//button[normalize-space()='Create link']")).click();
        String link = visible("dialog .copy-field input").getAttribute("value");
        // The browser's origin, whatever host name the server was called with.
        assertThat(link).startsWith(ui("/v1/buckets/" + bucket + "/objects/docs/readme.txt?token="));
        // The expiry shown is the link's: seven days from now.
        WebElement expiry = visible("dialog .share-expiry time");
        Instant expiresAt = Instant.parse(expiry.getAttribute("datetime"));
        assertThat(expiresAt).isBetween(before.plus(Duration.ofDays(7)), Instant.now().plus(Duration.ofDays(7)));
        String token = link.substring(link.indexOf("token=") + 6);
        assertThat(new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8))
                .contains("\"exp\":" + expiresAt.getEpochSecond());
        ZonedDateTime local = expiresAt.atZone(ZoneId.systemDefault());
        assertThat(visible("dialog .share-expiry").getText()).contains("until " + expiry.getText() + ".");
        assertThat(expiry.getText()).contains(String.valueOf(local.getYear())).contains(String.valueOf(local.getDayOfMonth()));
        screenshot("share-light");
        HttpResponse<String> shared = fetch(link);
        assertThat(shared.statusCode()).isEqualTo(200);
        assertThat(shared.body()).isEqualTo("Hello from Granary\n");
        browser.findElement(By.xpath("//dialog//button[normalize-space()='Copy']")).click();
        waiting().until(driver -> !driver.findElement(By.cssSelector("dialog .copy-field [role=status]")).getText().isEmpty());

        // Custom lifetimes stay within the server's limits.
        new Select(browser.findElement(By.cssSelector("dialog select"))).selectByVisibleText("Custom…");
        WebElement amount = visible("dialog input[type=number]");
        amount.clear();
        amount.sendKeys("8");
        new Select(visible("dialog .row select")).selectByVisibleText("days");
        withText("dialog p.error", "Between 1 minute and 7 days");
        assertThat(browser.findElement(By.xpath("//dialog//button[normalize-space()='Create link']")).isEnabled()).isFalse();
        amount.clear();
        amount.sendKeys("7");
        waiting().until(driver -> driver.findElement(By.xpath("//dialog//button[normalize-space()='Create link']")).isEnabled());
        browser.findElement(By.cssSelector("dialog button.close")).click();

        http.patch().uri("/v1/buckets/{b}", bucket).header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("visibility", "public")).exchange().expectStatus().isOk().expectBody();
        inDark(() -> {
            logIn(user, USER_PASSWORD);
            open("docs/", "readme.txt");
            browser.findElement(By.xpath("//aside//button[normalize-space()='Share']")).click();
            String publicUrl = withText("dialog .copy-field", "Public address").findElement(By.tagName("input")).getAttribute("value");
            assertThat(publicUrl).isEqualTo(ui("/public/" + tenantName + "/" + bucket + "/docs/readme.txt"));
            assertThat(fetch(publicUrl).body()).isEqualTo("Hello from Granary\n");
            browser.findElement(By.xpath("//dialog//button[normalize-space()='Create link']")).click();
            waiting().until(driver -> driver.findElements(By.cssSelector("dialog .copy-field input")).stream()
                    .anyMatch(input -> input.getAttribute("value").contains("token=")));
            screenshot("share-dark");
            return null;
        });
    }

    @Test
    void deletesInBulkRenamesAndCreatesAFolder() {
        logIn(user, USER_PASSWORD);
        folder("trash/");
        withText(".file-row .name", "d.txt");
        // Keyboard: the list takes focus on the first row; Space selects, Shift+Down extends.
        WebElement list = visible(".entries");
        list.click();
        new Actions(browser).sendKeys(Keys.HOME, Keys.SPACE).keyDown(Keys.SHIFT).sendKeys(Keys.ARROW_DOWN).keyUp(Keys.SHIFT).perform();
        withText(".selection-bar", "2 selected");
        // Shift-click extends the range to c.txt.
        new Actions(browser).keyDown(Keys.SHIFT).click(withText(".file-row", "c.txt").findElement(By.cssSelector("input.check")))
                .keyUp(Keys.SHIFT).perform();
        withText(".selection-bar", "3 selected");
        browser.findElement(By.xpath("//div[@role='region']//button[normalize-space()='Delete']")).click();
        withText("dialog", "Delete these 3 objects?");
        screenshot("delete-light");
        browser.findElement(By.xpath("//dialog//button[normalize-space()='Delete 3']")).click();
        withText(".notice", "Deleted 3.");
        waiting().until(driver -> names().equals(List.of("d.txt")));
        for (String gone : List.of("a", "b", "c")) {
            expectProblem(http.get().uri("/v1/buckets/{b}/objects/trash/{n}.txt", bucket, gone).header("X-Api-Key", key).exchange(),
                    HttpStatus.NOT_FOUND, "object_not_found");
        }

        open("docs/", "old-name.txt");
        browser.findElement(By.xpath("//aside//button[normalize-space()='Rename']")).click();
        WebElement newKey = visible("dialog input");
        newKey.clear();
        newKey.sendKeys("docs/new-name.txt");
        screenshot("rename-light");
        browser.findElement(By.xpath("//dialog//button[normalize-space()='Rename']")).click();
        withText(".notice", "Moved 1.");
        waiting().until(driver -> names().contains("new-name.txt") && !names().contains("old-name.txt"));
        http.get().uri("/v1/buckets/{b}/objects/docs/new-name.txt", bucket).header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo("rename me");
        expectProblem(http.get().uri("/v1/buckets/{b}/objects/docs/old-name.txt", bucket).header("X-Api-Key", key).exchange(),
                HttpStatus.NOT_FOUND, "object_not_found");

        browser.findElement(By.xpath("//button[normalize-space()='New folder']")).click();
        visible("dialog input").sendKeys("fresh");
        browser.findElement(By.xpath("//dialog//button[normalize-space()='Create']")).click();
        withText("p.empty", "This folder is empty");
        assertThat(browser.getCurrentUrl()).endsWith("/ui/b/" + bucket + "/docs/fresh/");
        screenshot("files-empty-light");
        http.head().uri("/v1/buckets/{b}/objects/docs/fresh/", bucket).header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectHeader().contentLength(0);
        browser.navigate().back();
        withText(".file-row a.name", "fresh/");
    }

    @Test
    void renamesAndDeletesAWholeFolder() {
        put("photos/2026/deeper/note.txt", MediaType.TEXT_PLAIN, "deep".getBytes(StandardCharsets.UTF_8));
        put("photos/empty/", MediaType.APPLICATION_OCTET_STREAM, new byte[0]);
        put("photo-booth.txt", MediaType.TEXT_PLAIN, "not in the folder".getBytes(StandardCharsets.UTF_8));
        logIn(user, USER_PASSWORD);
        withText(".buckets a", bucket).click();
        withText(".file-row", "photos/").findElement(By.cssSelector("input.check")).click();
        withText(".selection-bar", "1 selected");
        browser.findElement(By.xpath("//div[@role='region']//button[normalize-space()='Rename']")).click();
        withText("dialog", "folder “photos/” with 4 objects");
        WebElement path = visible("dialog input");
        path.clear();
        path.sendKeys("pictures");
        browser.findElement(By.xpath("//dialog//button[normalize-space()='Rename']")).click();
        withText(".notice", "Moved 4.");
        assertThat(keysUnder("pictures/")).containsExactly("pictures/2026/deeper/note.txt", "pictures/2026/summer.png",
                "pictures/cat.png", "pictures/empty/");
        assertThat(keysUnder("photos/")).isEmpty();
        assertThat(keysUnder("photo-booth")).containsExactly("photo-booth.txt");
        waiting().until(driver -> names().contains("pictures/") && !names().contains("photos/"));

        // Moving a folder into itself is refused before anything moves.
        withText(".file-row", "pictures/").findElement(By.cssSelector("input.check")).click();
        browser.findElement(By.xpath("//div[@role='region']//button[normalize-space()='Rename']")).click();
        visible("dialog input").sendKeys("inner/");
        browser.findElement(By.xpath("//dialog//button[normalize-space()='Rename']")).click();
        withText("dialog .error", "cannot be moved into itself");
        assertThat(keysUnder("pictures/")).hasSize(4);
        browser.findElement(By.xpath("//dialog//button[normalize-space()='Cancel']")).click();

        browser.findElement(By.xpath("//div[@role='region']//button[normalize-space()='Delete']")).click();
        withText("dialog", "Delete folder “pictures/” with 4 objects?");
        browser.findElement(By.xpath("//dialog//button[normalize-space()='Delete 4']")).click();
        withText(".notice", "Deleted 4.");
        assertThat(keysUnder("pictures/")).isEmpty();
        waiting().until(driver -> !names().contains("pictures/"));

        // A folder of more than a page: its name is typed, and every page goes.
        for (int i = 0; i < 1005; i++) {
            put("bulk/" + (i % 3 == 0 ? "deep/" : "") + "n" + i + ".txt", MediaType.TEXT_PLAIN, new byte[] {'x'});
        }
        browser.navigate().refresh();
        withText(".file-row", "bulk/").findElement(By.cssSelector("input.check")).click();
        browser.findElement(By.xpath("//div[@role='region']//button[normalize-space()='Delete']")).click();
        withText("dialog", "folder “bulk/” with more than 1,000 objects");
        WebElement delete = browser.findElement(By.xpath("//dialog//button[normalize-space()='Delete all']"));
        assertThat(delete.isEnabled()).isFalse();
        visible("dialog input[name=confirm]").sendKeys("bulk");
        screenshot("folder-delete-light");
        long started = System.nanoTime();
        delete.click();
        // Two listings and two bulk deletes of up to 1,000 keys each: slower than a click.
        new WebDriverWait(browser, Duration.ofSeconds(120))
                .until(driver -> driver.findElements(By.cssSelector(".notice")).stream().anyMatch(n -> n.getText().contains("Deleted 1005.")));
        System.out.println("FOLDER-DELETE 1005 objects in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        assertThat(keysUnder("bulk/")).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private List<String> keysUnder(String prefix) {
        Map<String, Object> page = http.get().uri("/v1/buckets/{b}/objects?prefix={p}", bucket, prefix).header("X-Api-Key", key)
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody();
        return ((List<Map<String, Object>>) page.get("objects")).stream().map(object -> (String) object.get("key")).toList();
    }

    @Test
    void bucketContentNeverRunsInTheDashboard() {
        logIn(user, USER_PASSWORD);
        withText(".buckets a", bucket).click();
        WebElement evil = withText(".file-row .name", ".html");
        assertThat(evil.getText()).isEqualTo(EVIL_HTML);
        JavascriptExecutor js = (JavascriptExecutor) browser;
        assertThat(js.executeScript("return document.querySelectorAll('img[src=\"x\"], img[src$=\"/x\"]').length")).isEqualTo(0L);

        evil.click();
        withText("pre.text-preview", "<script>");
        assertThat(visible(".object-panel h2").getText()).isEqualTo(EVIL_HTML);
        assertThat(browser.findElements(By.xpath("//aside//button[normalize-space()='Open in new tab']"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("iframe"))).isEmpty();
        browser.findElement(By.xpath("//aside//button[normalize-space()='Download']")).click();
        sleep(500);
        screenshot("security-html-light");

        withText(".file-row .name", "evil.svg").click();
        withText("pre.text-preview", "<svg");
        assertThat(browser.findElements(By.xpath("//aside//button[normalize-space()='Open in new tab']"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("iframe, .object-panel img, object, embed"))).isEmpty();

        assertThat(browser.getWindowHandles()).hasSize(1);
        assertThat(browser.getCurrentUrl()).startsWith(ui("/ui/b/" + bucket + "/")).endsWith("?open=evil.svg");
        assertThat(js.executeScript("return window.pwned === undefined")).isEqualTo(true);
        // No alert is open (Selenium would fail any command while one is).
        assertThat(browser.getTitle()).isEqualTo("Granary");

        // What Granary sends for such objects today (recorded for the report).
        HttpResponse<String> html = fetch(ui("/v1/buckets/" + bucket + "/objects/evil.svg"), "Authorization", "Bearer " + accessToken(user, USER_PASSWORD));
        assertThat(html.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        System.out.println("FILES-SECURITY evil.svg Content-Security-Policy: " + html.headers().firstValue("Content-Security-Policy").orElse("(none)"));
    }

    /** Opens the bucket, then folder, then the object named {@code name} in it. */
    private void open(String folder, String name) {
        folder(folder);
        withText(".file-row .name", name).click();
        withText(".object-panel h2", name);
    }

    private void folder(String folder) {
        ((JavascriptExecutor) browser).executeScript("history.pushState(null, '', arguments[0]); dispatchEvent(new PopStateEvent('popstate'))",
                "/ui/b/" + bucket + "/" + folder);
        withText("h1", folder.substring(0, folder.length() - 1));
    }

    private List<String> names() {
        return browser.findElements(By.cssSelector(".file-row .name")).stream().map(WebElement::getText).toList();
    }

    /** One second of silence, 8 kHz 8-bit mono PCM in a WAV container. */
    private static byte[] wav() {
        int samples = 8000;
        java.nio.ByteBuffer wav = java.nio.ByteBuffer.allocate(44 + samples).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        wav.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + samples).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        wav.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(8000).putInt(8000).putShort((short) 1).putShort((short) 8);
        wav.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(samples);
        for (int i = 0; i < samples; i++) {
            wav.put((byte) 128);
        }
        return wav.array();
    }

    private static boolean loaded(WebElement image) {
        return Boolean.TRUE.equals(((JavascriptExecutor) browser).executeScript(
                "return arguments[0].complete && arguments[0].naturalWidth > 0", image));
    }

    /** Runs {@code steps} in a second browser in dark mode (as {@link #browser} meanwhile). */
    private void inDark(Supplier<Void> steps) {
        WebDriver light = browser;
        browser = open(true);
        try {
            steps.get();
        } finally {
            browser.quit();
            browser = light;
        }
    }

    private void put(String objectKey, MediaType type, byte[] bytes) {
        // A URI, not a string: WebTestClient would escape the escapes again.
        http.put().uri(URI.create(ui("/v1/buckets/" + bucket + "/objects/") + UriUtils.encodePath(objectKey, StandardCharsets.UTF_8)))
                .header("X-Api-Key", key).contentType(type).bodyValue(bytes).exchange().expectStatus().isOk().expectBody();
    }

    /** A GET without any session or credential (unless given), as someone the link was sent to. */
    private static HttpResponse<String> fetch(String url, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] png() {
        BufferedImage image = new BufferedImage(320, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setPaint(new GradientPaint(0, 0, new Color(0x2f6f4f), 320, 200, new Color(0xf2c14e)));
        graphics.fillRect(0, 0, 320, 200);
        graphics.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
