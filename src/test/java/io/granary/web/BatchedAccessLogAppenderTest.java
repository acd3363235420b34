package io.granary.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchedAccessLogAppenderTest {

    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("io.granary.access");

    /** Records each write separately, so the test sees how lines were cut into writes. */
    private static final class Writes extends OutputStream {
        final List<byte[]> writes = new ArrayList<>();
        final CountDownLatch open;

        Writes(CountDownLatch open) {
            this.open = open;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writes.add(Arrays.copyOfRange(b, off, off + len));
        }

        synchronized String text() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            writes.forEach(all::writeBytes);
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyLineArrivesInOrderInWholeLineChunksAPipeTakesWhole() {
        Writes out = new Writes(new CountDownLatch(0));
        BatchedAccessLogAppender appender = started(out);
        for (int i = 0; i < 5000; i++) {
            appender.doAppend(event("req-{} GET /v1/buckets/b/objects/k 200 0ms onComplete", i));
        }
        appender.stop();

        String[] lines = out.text().split("\n", -1);
        assertThat(lines).hasSize(5001); // the text ends with a line break
        for (int i = 0; i < 5000; i++) {
            assertThat(lines[i]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ ACCESS req-" + i + " GET .*");
        }
        assertThat(out.writes).allSatisfy(write -> {
            assertThat(write.length).isLessThanOrEqualTo(BatchedAccessLogAppender.CHUNK);
            assertThat(write[write.length - 1]).isEqualTo((byte) '\n');
        });
        assertThat(out.writes.size()).as("lines per write").isLessThan(5000 / 10);
    }

    @Test
    void aStalledOutputDropsLinesWithoutBlockingAndSaysHowMany() throws InterruptedException {
        CountDownLatch open = new CountDownLatch(1);
        Writes out = new Writes(open);
        BatchedAccessLogAppender appender = started(out);
        int offered = BatchedAccessLogAppender.MAX_QUEUED + 5000;
        long start = System.nanoTime();
        for (int i = 0; i < offered; i++) {
            appender.doAppend(event("req-{}", i));
        }
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("seconds to queue").isLessThan(5);
        open.countDown();
        appender.stop();

        List<String> lines = out.text().lines().toList();
        String last = lines.get(lines.size() - 1);
        long dropped = Long.parseLong(last.replaceAll(".* ACCESS (\\d+) access-log lines dropped.*", "$1"));
        assertThat(dropped).isPositive();
        assertThat(lines.size() - 1 + dropped).isEqualTo(offered);
    }

    private BatchedAccessLogAppender started(OutputStream out) {
        BatchedAccessLogAppender appender = new BatchedAccessLogAppender(() -> out);
        appender.setContext(context);
        appender.start();
        return appender;
    }

    private LoggingEvent event(String format, Object argument) {
        return new LoggingEvent(Logger.class.getName(), logger, Level.INFO, format, null, new Object[] {argument});
    }
}
