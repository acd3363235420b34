package io.granary.web;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Writes the access log's lines from a thread of its own, many lines per write. A request only
 * queues its event (no formatting, no lock, no system call on the event loop); the writer
 * formats each line as {@code <timestamp> ACCESS <message>} and writes whole lines in chunks of at
 * most {@value #CHUNK} bytes, the size a pipe takes whole, so other writers of the same standard
 * output never land inside a line. A line waits at most {@link #IDLE_PARK_NANOS} once the writer
 * is idle.
 *
 * <p>When more than {@link #MAX_QUEUED} lines wait (standard output not drained, as with a
 * stalled log collector), further lines are dropped rather than blocking requests, and the
 * number dropped is written as a line of its own once the writer catches up.
 */
final class BatchedAccessLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    static final String NAME = "granary-access-log";
    /** {@code PIPE_BUF} on Linux: a write of at most this size reaches a pipe in one piece. */
    static final int CHUNK = 4096;
    static final int MAX_QUEUED = 65_536;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneId.systemDefault());

    private final Supplier<OutputStream> out;
    private final Queue<ILoggingEvent> queued = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final byte[] chunk = new byte[CHUNK];
    private int chunkLength;
    private volatile boolean running;
    private Thread writer;

    /** @param out where lines go, looked up on every write (standard output may be replaced) */
    BatchedAccessLogAppender(Supplier<OutputStream> out) {
        this.out = out;
        setName(NAME);
    }

    @Override
    public void start() {
        running = true;
        writer = new Thread(this::drainUntilStopped, NAME);
        writer.setDaemon(true);
        writer.start();
        super.start();
    }

    /** Writes every line queued so far, then returns. */
    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (size.incrementAndGet() > MAX_QUEUED) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queued.offer(event);
    }

    private void drainUntilStopped() {
        while (true) {
            ILoggingEvent event = queued.poll();
            if (event != null) {
                size.decrementAndGet();
                add(line(TIMESTAMP.format(Instant.ofEpochMilli(event.getTimeStamp())) + " ACCESS " + event.getFormattedMessage()));
                continue;
            }
            long lost = dropped.getAndSet(0);
            if (lost > 0) {
                add(line(TIMESTAMP.format(Instant.now()) + " ACCESS " + lost + " access-log lines dropped: standard output was not drained"));
            }
            writeChunk();
            if (!running && queued.isEmpty()) {
                return;
            }
            LockSupport.parkNanos(IDLE_PARK_NANOS);
        }
    }

    private static byte[] line(String text) {
        return (text + '\n').getBytes(StandardCharsets.UTF_8);
    }

    private void add(byte[] line) {
        if (chunkLength + line.length > CHUNK) {
            writeChunk();
        }
        if (line.length > CHUNK) {
            write(line, line.length);
            return;
        }
        System.arraycopy(line, 0, chunk, chunkLength, line.length);
        chunkLength += line.length;
    }

    private void writeChunk() {
        if (chunkLength > 0) {
            write(chunk, chunkLength);
            chunkLength = 0;
        }
    }

    private void write(byte[] bytes, int length) {
        try {
            OutputStream stream = out.get();
            stream.write(bytes, 0, length);
            stream.flush();
        } catch (IOException | RuntimeException e) {
            addError("could not write the access log", e);
        }
    }
}
