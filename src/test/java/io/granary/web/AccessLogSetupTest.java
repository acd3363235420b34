package io.granary.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import io.granary.api.ApiTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

/**
 * With the default logging setup, the running server's access log goes through the batched
 * appender, to standard output. (The tests' own logging setup gives the access log an appender,
 * which Granary leaves alone; this test takes it off and sets the log up as a plain start does.)
 */
class AccessLogSetupTest extends ApiTestSupport {

    @Autowired
    Environment environment;

    @Test
    void requestsOfBothFrontEndsAreLoggedOffTheEventLoopToStandardOutput() throws InterruptedException {
        String key = createKey(createTenant(unique("alog")), List.of("admin"), null);
        String bucket = unique("alog");
        createBucket(key, bucket, Map.of());
        http.put().uri("/v1/buckets/{b}/objects/a.txt", bucket).header("X-Api-Key", key).bodyValue("hello")
                .exchange().expectStatus().isOk().expectBody();

        Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
        List<Appender<ILoggingEvent>> configured = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
            configured.add(it.next());
        }
        configured.forEach(logger::detachAppender);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            new AccessLogSetup(environment);
            assertThat(logger.getAppender(BatchedAccessLogAppender.NAME)).isNotNull();
            assertThat(logger.isAdditive()).isFalse();
            // The hot read path answers the GET; WebFlux answers the listing.
            http.get().uri("/v1/buckets/{b}/objects/a.txt", bucket).header("X-Api-Key", key)
                    .header(RequestIds.HEADER, "alog-hot-read").exchange().expectStatus().isOk().expectBody();
            http.get().uri("/v1/buckets/{b}/objects", bucket).header("X-Api-Key", key)
                    .header(RequestIds.HEADER, "alog-listing").exchange().expectStatus().isOk().expectBody();
            long deadline = System.currentTimeMillis() + 5000;
            while (!captured.toString(StandardCharsets.UTF_8).contains("alog-listing") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            System.setOut(original);
            Appender<ILoggingEvent> batched = logger.getAppender(BatchedAccessLogAppender.NAME);
            if (batched != null) {
                logger.detachAppender(batched);
                batched.stop();
            }
            configured.forEach(logger::addAppender);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(text).containsPattern(" ACCESS alog-hot-read GET /v1/buckets/" + bucket + "/objects/a.txt 200 5 \\d+ms key:\\S+ \\S+ complete\n")
                .containsPattern(" ACCESS alog-listing GET /v1/buckets/" + bucket + "/objects 200 \\d+ \\d+ms ");
    }
}
