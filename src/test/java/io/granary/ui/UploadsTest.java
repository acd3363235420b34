package io.granary.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.core.ParameterizedTypeReference;

/**
 * Uploads from the dashboard, through a {@link TcpProxy} in front of Granary so that the
 * network can fail: folders by drag-and-drop and by the folder picker (keys keep the relative
 * paths), a 200 MiB tus upload that survives a cut connection by itself and keeps going while
 * the user moves elsewhere, one that goes on after a reload once the file is selected again,
 * bucket rules as per-file errors with the API's detail, and cancel terminating the tus upload.
 */
class UploadsTest extends BrowserTestSupport {

    private static final long MIB = 1024 * 1024;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path files;

    private TcpProxy proxy;
    private String key;
    private String user;

    @BeforeEach
    void proxyAndUser() {
        proxy = new TcpProxy(port);
        String tenant = createTenant(unique("up"));
        key = createKey(tenant, List.of("admin"), null);
        user = unique("uma");
        createUser(tenant, user, "tenant-admin");
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
        dark(false);
    }

    /** The dashboard's address through the proxy: every request of the page goes through it. */
    private String via(String path) {
        return "http://127.0.0.1:" + proxy.port() + path;
    }

    private void logInVia(String path) {
        browser.get(via(path));
        visible("input[name=username]").sendKeys(user);
        browser.findElement(By.cssSelector("input[name=password]")).sendKeys(USER_PASSWORD);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        visible(".top");
    }

    @Test
    void aDroppedFolderAndAPickedFolderKeepTheirRelativePaths() throws Exception {
        String bucket = unique("album");
        createBucket(key, bucket, Map.of());
        Path album = Files.createDirectories(files.resolve("album"));
        Files.writeString(album.resolve("readme.txt"), "the album\n");
        Path deeper = Files.createDirectories(album.resolve("2026/summer"));
        Files.write(deeper.resolve("beach.bin"), random(300_000, 1));
        // More than one batch of readEntries (Chromium answers 100 entries at a time).
        Path many = Files.createDirectories(album.resolve("many"));
        for (int i = 0; i < 120; i++) {
            Files.writeString(many.resolve("note-" + i + ".txt"), "note " + i);
        }

        logInVia("/ui/upload/" + bucket + "/photos/");
        WebElement target = visible(".drop-target");
        screenshot("upload-light");
        dark(true);
        screenshot("upload-dark");
        dark(false);
        // What the OS does when a folder is dragged onto the page: Chromium's own drag events
        // with the folder's path, so the page gets real entries (webkitGetAsEntry) to walk.
        drag("dragEnter", target, album);
        drag("dragOver", target, album);
        visible(".dropzone.over .drop-hint");
        screenshot("upload-dropzone-light");
        dark(true);
        screenshot("upload-dropzone-dark");
        dark(false);
        drag("drop", target, album);
        withText(".uploads-summary", "122 of 122 uploaded");
        assertThat(keys(bucket, "photos/")).hasSize(122)
                .contains("photos/album/readme.txt", "photos/album/2026/summer/beach.bin", "photos/album/many/note-0.txt",
                        "photos/album/many/note-119.txt");
        assertThat(sha256(objectUrl(bucket, "photos/album/2026/summer/beach.bin"))).isEqualTo(sha256(deeper.resolve("beach.bin")));

        // The folder picker: the same relative paths, from webkitRelativePath.
        browser.findElement(By.xpath("//button[normalize-space()='Clear finished']")).click();
        browser.findElement(By.cssSelector(".drop-target input[data-picker=folder]")).sendKeys(deeper.toString());
        withText(".uploads-summary", "1 of 1 uploaded");
        assertThat(keys(bucket, "photos/summer/")).containsExactly("photos/summer/beach.bin");
    }

    @Test
    void aLargeUploadResumesByItselfAfterTheConnectionDropsAndWhileTheUserMovesOn() throws Exception {
        String bucket = unique("video");
        createBucket(key, bucket, Map.of());
        Path file = randomFile("film.bin", 200 * MIB);
        logInVia("/ui/upload/" + bucket + "/");
        visible(".drop-target");
        long before = proxy.forwarded();
        // Slow enough to watch; the link drops once 90 MiB went through, for four seconds.
        proxy.throttle(40 * MIB);
        proxy.cutAfter(before + 90 * MIB, Duration.ofSeconds(4));
        long started = System.nanoTime();
        browser.findElement(By.cssSelector(".drop-target input[data-picker=files]")).sendKeys(file.toString());

        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver -> proxy.forwarded() > before + 30 * MIB);
        assertThat(visible(".upload.running .upload-status").getText()).contains("MiB/s").contains("left");
        screenshot("uploads-panel-light");
        dark(true);
        screenshot("uploads-panel-dark");
        dark(false);
        // Elsewhere in the dashboard, the upload goes on.
        browser.findElement(By.cssSelector(".top nav a[href='/ui/buckets']")).click();
        withText("h1", "Buckets");
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(driver -> !driver.findElements(By.cssSelector(".upload.retrying")).isEmpty());
        assertThat(visible(".upload.retrying .upload-status").getText()).contains("Connection lost");
        screenshot("uploads-reconnecting-light");

        new WebDriverWait(browser, Duration.ofSeconds(240)).until(driver -> !driver.findElements(By.cssSelector(".upload.done")).isEmpty());
        System.out.printf("200 MiB upload with a cut, through the proxy: %d s%n", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        withText(".uploads-summary", "1 of 1 uploaded");
        assertThat(sha256(objectUrl(bucket, "film.bin"))).isEqualTo(sha256(file));
        // Sent once and a little again: the upload went on from the server's offset, not from 0.
        assertThat(proxy.forwarded() - before).isLessThan(200 * MIB + 24 * MIB);
        assertThat(savedUploads()).isEqualTo("[]");
    }

    @Test
    void anUploadInterruptedByAReloadGoesOnOnceTheFileIsSelectedAgain() throws Exception {
        String bucket = unique("backup");
        createBucket(key, bucket, Map.of());
        Path file = randomFile("dump.bin", 96 * MIB);
        logInVia("/ui/upload/" + bucket + "/db/");
        visible(".drop-target");
        proxy.throttle(24 * MIB);
        browser.findElement(By.cssSelector(".drop-target input[data-picker=files]")).sendKeys(file.toString());
        // Once the server confirmed a chunk, the page goes away.
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(driver -> savedUploads().contains("\"offset\":16777216"));
        browser.navigate().refresh();
        proxy.throttle(0);

        // This build keeps no session across a reload (the refresh cookie comes with the browser
        // sessions branch): log in again when asked.
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(driver -> !driver.findElements(By.cssSelector("input[name=username], .resume")).isEmpty());
        if (!browser.findElements(By.cssSelector("input[name=username]")).isEmpty()) {
            logInVia("/ui/buckets");
        }
        WebElement prompt = visible(".resume");
        assertThat(prompt.getText()).contains("1 upload can be resumed").contains("select the same file again")
                .contains(bucket + "/db/dump.bin");
        screenshot("uploads-resume-light");
        dark(true);
        screenshot("uploads-resume-dark");
        dark(false);
        browser.manage().window().setSize(new Dimension(360, 740));
        screenshot("uploads-resume-narrow-light");
        browser.manage().window().setSize(new Dimension(1280, 900));

        String url = (String) js("return JSON.parse(localStorage.getItem('granary.uploads'))[0].url");
        long offset = tusOffset(url);
        assertThat(offset).isGreaterThanOrEqualTo(16 * MIB).isLessThan(96 * MIB);
        long before = proxy.forwarded();
        browser.findElement(By.cssSelector(".resume input[data-picker=files]")).sendKeys(file.toString());
        WebElement done = new WebDriverWait(browser, Duration.ofSeconds(120))
                .until(driver -> driver.findElements(By.cssSelector(".upload.done")).stream().findFirst().orElse(null));
        assertThat(done.getText()).contains("resumed at");
        assertThat(proxy.forwarded() - before).isLessThan(96 * MIB - offset + MIB);
        assertThat(sha256(objectUrl(bucket, "db/dump.bin"))).isEqualTo(sha256(file));
        assertThat(browser.findElements(By.cssSelector(".resume"))).isEmpty();
        assertThat(savedUploads()).isEqualTo("[]");
    }

    @Test
    void filesUploadedFromTheFilesScreenAppearInItsFolder() throws Exception {
        String bucket = unique("docs");
        createBucket(key, bucket, Map.of());
        Path note = files.resolve("minutes.txt");
        Files.writeString(note, "what was decided");
        logInVia("/ui/b/" + bucket + "/2026/");
        visible(".files .toolbar");
        browser.findElement(By.cssSelector(".upload-buttons input[data-picker=files]")).sendKeys(note.toString());
        // The open folder lists it as soon as the upload is done, without a reload.
        withText(".file-row .name", "minutes.txt");
        http.get().uri("/v1/buckets/{b}/objects/2026/minutes.txt", bucket).header("X-Api-Key", key).exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo("what was decided");

        // A burst of finished uploads lists the folder again once (or twice, if they straddle a listing), not per file.
        List<String> burst = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Path part = files.resolve("part-" + i + ".txt");
            Files.writeString(part, "part " + i);
            burst.add(part.toString());
        }
        long listingsBefore = listings();
        browser.findElement(By.cssSelector(".upload-buttons input[data-picker=files]")).sendKeys(String.join("\n", burst));
        waiting().until(driver -> driver.findElements(By.cssSelector(".file-row .name")).size() == 13);
        Thread.sleep(1500); // any reload still to come
        assertThat(browser.findElements(By.cssSelector(".file-row .name"))).hasSize(13);
        assertThat(listings() - listingsBefore).isBetween(1L, 2L);
    }

    /** How many listing requests this page has sent. */
    private long listings() {
        return ((Number) ((JavascriptExecutor) browser).executeScript("return performance.getEntriesByType('resource')"
                + ".filter((entry) => entry.name.includes('/objects?')).length;")).longValue();
    }

    @Test
    void bucketRulesAreErrorsPerFileAndCancelTerminatesTheUpload() throws Exception {
        String bucket = unique("pics");
        createBucket(key, bucket, Map.of("allowedContentTypes", List.of("image/*"), "maxObjectSize", 4 * MIB));
        Path notes = files.resolve("notes.txt");
        Files.writeString(notes, "not a picture");
        Path large = randomFile("large.png", 12 * MIB);
        logInVia("/ui/upload/" + bucket + "/");
        visible(".drop-target");
        browser.findElement(By.cssSelector(".drop-target input[data-picker=files]")).sendKeys(notes + "\n" + large);
        WebElement refused = withText(".upload.failed[data-key='notes.txt'] [role=alert]", "");
        assertThat(refused.getText()).contains("does not accept text/plain");
        WebElement tooLarge = new WebDriverWait(browser, Duration.ofSeconds(60)).until(driver ->
                driver.findElements(By.cssSelector(".upload.failed[data-key='large.png'] [role=alert]")).stream().findFirst().orElse(null));
        assertThat(tooLarge.getText()).contains("4194304");
        screenshot("uploads-error-light");
        dark(true);
        screenshot("uploads-error-dark");
        dark(false);
        assertThat(keys(bucket, "")).isEmpty();

        // Cancel, mid-way through a tus upload: the server frees it.
        Path film = randomFile("film.png", 64 * MIB);
        createBucket(key, bucket + "-x", Map.of());
        goTo("/ui/upload/" + bucket + "-x/");
        visible(".drop-target");
        proxy.throttle(16 * MIB);
        browser.findElement(By.cssSelector(".drop-target input[data-picker=files]")).sendKeys(film.toString());
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(driver -> savedUploads().contains("\"offset\":16777216"));
        String url = (String) js("return JSON.parse(localStorage.getItem('granary.uploads'))[0].url");
        browser.findElement(By.cssSelector("button[aria-label='Cancel upload of film.png']")).click();
        withText(".upload.cancelled", "Cancelled");
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(driver -> tusStatus(url) == 404);
        assertThat(savedUploads()).isEqualTo("[]");
        assertThat(keys(bucket + "-x", "")).isEmpty();
    }

    // ---- helpers

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** Moves within the page, as a link would (a page load would end this build's session). */
    private void goTo(String path) {
        js("history.pushState(null, '', arguments[0]); dispatchEvent(new PopStateEvent('popstate'));", path);
    }

    private String savedUploads() {
        Object saved = js("return localStorage.getItem('granary.uploads') || '[]'");
        return String.valueOf(saved);
    }

    /** Switches the page to the system's dark (or light) setting, for screenshots of both. */
    private void dark(boolean on) {
        if (browser != null) {
            ((ChromeDriver) browser).executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
                    List.of(Map.of("name", "prefers-color-scheme", "value", on ? "dark" : "light"))));
        }
    }

    private void drag(String type, WebElement target, Path path) {
        @SuppressWarnings("unchecked")
        Map<String, Object> box = (Map<String, Object>) js(
                "const r = arguments[0].getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2};", target);
        ((ChromeDriver) browser).executeCdpCommand("Input.dispatchDragEvent", Map.of("type", type,
                "x", ((Number) box.get("x")).doubleValue(), "y", ((Number) box.get("y")).doubleValue(),
                "data", Map.of("items", List.of(), "files", List.of(path.toString()), "dragOperationsMask", 1)));
    }

    private Path randomFile(String name, long size) throws IOException {
        Path file = files.resolve(name);
        Random random = new Random(size);
        byte[] block = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
        return file;
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private List<String> keys(String bucket, String prefix) {
        Map<String, Object> page = http.get().uri(b -> b.path("/v1/buckets/{bucket}/objects").queryParam("prefix", prefix).build(bucket))
                .header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> objects = (List<Map<String, Object>>) page.get("objects");
        return objects.stream().map(object -> (String) object.get("key")).collect(Collectors.toList());
    }

    private String objectUrl(String bucket, String objectKey) {
        return "http://127.0.0.1:" + port + "/v1/buckets/" + bucket + "/objects/" + objectKey;
    }

    private String sha256(String url) throws Exception {
        HttpResponse<InputStream> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).header("X-Api-Key", key).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (InputStream in = response.body()) {
            return digest(in);
        }
    }

    private static String sha256(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return digest(in);
        }
    }

    private static String digest(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[256 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            sha.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private HttpResponse<Void> tusHead(String url) throws Exception {
        // Straight to Granary, with the tenant's key: the proxy counts the browser's bytes only.
        URI direct = URI.create(url.replace(":" + proxy.port() + "/", ":" + port + "/"));
        return CLIENT.send(HttpRequest.newBuilder(direct).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("X-Api-Key", key).header("Tus-Resumable", "1.0.0").build(), HttpResponse.BodyHandlers.discarding());
    }

    private long tusOffset(String url) throws Exception {
        HttpResponse<Void> head = tusHead(url);
        assertThat(head.statusCode()).isEqualTo(200);
        return Long.parseLong(head.headers().firstValue("Upload-Offset").orElseThrow());
    }

    private int tusStatus(String url) {
        try {
            return tusHead(url).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
