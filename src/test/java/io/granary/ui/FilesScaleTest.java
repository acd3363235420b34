package io.granary.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.JavascriptExecutor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.http.MediaType;

/**
 * The files screen in a folder of 100,000 objects, measured in the browser: the time from
 * opening the folder to its first rows on screen, and frame times and long tasks while
 * scrolling through thousands of rows and then through all 100,000 as pages load. The figures
 * are printed (FILES-SCALE lines) for docs/benchmarks.md. Tagged {@code ui-large}: seeding the
 * embedded catalogue with 100,000 records takes minutes (about 150 records a second on a busy
 * 2-core machine), far more than the browser part.
 */
@Tag("ui-large")
class FilesScaleTest extends BrowserTestSupport {

    static final int OBJECTS = 100_000;

    @Autowired
    ReactiveMongoTemplate mongo;

    @Value("${granary.data-dir}")
    Path dataDir;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void aFolderOf100000ObjectsShowsItsFirstRowsFastAndScrollsSmoothly() {
        String tenant = createTenant(unique("scale"));
        String key = createKey(tenant, List.of("admin"), null);
        String bucket = unique("big");
        createBucket(key, bucket, Map.of());
        String user = unique("sam");
        createUser(tenant, user, "tenant-admin");
        http.put().uri("/v1/buckets/{b}/objects/big/f-000000.txt", bucket).header("X-Api-Key", key)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("one of many\n").exchange().expectStatus().isOk().expectBody();
        long seeding = System.nanoTime();
        new FolderSeeder(mongo, dataDir).clone(tenant, "big/f-000000.txt", OBJECTS - 1,
                i -> String.format("big/f-%06d.txt", i + 1));
        System.out.printf("FILES-SCALE seeded %,d objects in %d ms%n", OBJECTS - 1, (System.nanoTime() - seeding) / 1_000_000);

        logIn(user, USER_PASSWORD);
        withText(".buckets a", bucket).click();
        JavascriptExecutor js = (JavascriptExecutor) browser;
        // From the click on the folder to the first frame showing its rows, three times (the
        // machine is shared: the median is the figure), with the first page's request time.
        List<Double> openings = new java.util.ArrayList<>();
        for (int run = 0; run < 3; run++) {
            if (run > 0) {
                withText("nav.crumbs a", bucket).click();
            }
            withText(".file-row a.name", "big/");
            @SuppressWarnings("unchecked")
            Map<String, Number> opened = (Map<String, Number>) js.executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    performance.clearResourceTimings();
                    const start = performance.now();
                    const shown = () => [...document.querySelectorAll('.file-row .name')].some((name) => name.textContent.startsWith('f-'));
                    const observer = new MutationObserver(() => {
                      if (!shown()) return;
                      observer.disconnect();
                      requestAnimationFrame(() => {
                        const page = performance.getEntriesByType('resource').find((entry) => entry.name.includes('/objects?'));
                        done({ firstRowsMs: performance.now() - start, firstPageRequestMs: page ? page.duration : -1 });
                      });
                    });
                    observer.observe(document.body, { childList: true, subtree: true });
                    document.querySelector('.file-row a.name').click();
                    """);
            System.out.printf("FILES-SCALE first rows on screen %.0f ms after opening the folder (its first page's request: %.0f ms)%n",
                    opened.get("firstRowsMs").doubleValue(), opened.get("firstPageRequestMs").doubleValue());
            openings.add(opened.get("firstRowsMs").doubleValue());
        }
        double firstRows = openings.stream().sorted().toList().get(1);
        screenshot("files-large-light");

        // Scrolling at 20 rows a frame for 300 frames, pages loading as the end comes near (where
        // the scrolling outruns them it waits at the end of what is loaded, as a user would).
        @SuppressWarnings("unchecked")
        Map<String, Object> scroll = (Map<String, Object>) js.executeAsyncScript(MEASURE + """
                measure((list) => list.scrollTop += 800, (frames) => frames >= 300, done);
                """);
        System.out.println("FILES-SCALE scrolling 300 frames at 20 rows a frame: " + scroll);
        // To the end of all 100,000: jump to the bottom each frame until every page is loaded.
        @SuppressWarnings("unchecked")
        Map<String, Object> all = (Map<String, Object>) js.executeAsyncScript(MEASURE + """
                measure((list) => list.scrollTop = list.scrollHeight,
                        () => /^100,000 shown of 100,000 loaded$/.test(document.querySelector('.list-status [role=status]').textContent),
                        done);
                """);
        System.out.println("FILES-SCALE scrolling to the end of 100,000: " + all);
        screenshot("files-large-end-light");

        assertThat(firstRows).as("median time to first rows on screen (ms)").isLessThan(1000);
        assertThat(((Number) scroll.get("rowsInDom")).intValue()).isLessThan(100);
        assertThat(((Number) all.get("rowsInDom")).intValue()).isLessThan(100);
        // The last page arrived after the last jump: one more to the bottom shows the last row.
        js.executeScript("const list = document.querySelector('.entries'); list.scrollTop = list.scrollHeight");
        assertThat(withText(".file-row .name", "f-099999.txt")).isNotNull();
        assertThat(((Number) scroll.get("p95FrameMs")).doubleValue()).as("95th percentile frame time (ms)").isLessThan(50);
    }

    /**
     * A script prefix: measure(step, until, done) runs step(list) once per frame until
     * until(frames) holds (or 120 s pass), watching long tasks, and reports frame times.
     */
    private static final String MEASURE = """
            const done = arguments[arguments.length - 1];
            function measure(step, until, finish) {
              const list = document.querySelector('.entries');
              const longTasks = [];
              const observer = new PerformanceObserver((entries) => longTasks.push(...entries.getEntries().map((e) => e.duration)));
              observer.observe({ type: 'longtask' });
              const frames = [];
              const start = performance.now();
              let last = start;
              let rowsInDom = 0;
              const frame = (now) => {
                frames.push(now - last);
                last = now;
                rowsInDom = Math.max(rowsInDom, document.querySelectorAll('.file-row').length);
                if (until(frames.length) || now - start > 120000) {
                  observer.disconnect();
                  const sorted = frames.slice(1).sort((a, b) => a - b);
                  finish({ frames: frames.length, seconds: +((now - start) / 1000).toFixed(1),
                           p50FrameMs: +sorted[Math.floor(sorted.length * 0.5)].toFixed(1),
                           p95FrameMs: +sorted[Math.floor(sorted.length * 0.95)].toFixed(1),
                           maxFrameMs: +sorted[sorted.length - 1].toFixed(1),
                           longTasks: longTasks.length, longTaskMs: +longTasks.reduce((a, b) => a + b, 0).toFixed(0),
                           rowsInDom, lastRowInView: Math.floor((list.scrollTop + list.clientHeight) / 40),
                           status: document.querySelector('.list-status [role=status]').textContent });
                  return;
                }
                step(list);
                requestAnimationFrame(frame);
              };
              requestAnimationFrame(frame);
            }
            """;
}
