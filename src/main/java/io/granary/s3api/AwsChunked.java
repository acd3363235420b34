package io.granary.s3api;

import io.granary.common.DiscardedBuffers;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Decodes an {@code aws-chunked} body as it streams: {@code <hex size>[;chunk-signature=<sig>]\r\n
 * <data>\r\n ... 0[;chunk-signature=<sig>]\r\n [trailers\r\n] \r\n}. Every chunk signature is
 * checked when its chunk ends (each chains on the one before, starting from the request's
 * signature), the trailing checksum against the decoded bytes, and a signed trailer's
 * signature. Nothing is buffered beyond the buffers that arrive: data passes on as slices of
 * them. The last slice is held back until the end has been checked, so a store that was told the
 * decoded length never has every byte of a body whose end turns out wrong.
 *
 * <p>One instance per request; not thread-safe (a body's buffers arrive one at a time).
 */
final class AwsChunked {

    private static final int MAX_LINE = 4096;
    private static final String EMPTY_SHA256 = SigV4.sha256Hex("");

    private enum State { SIZE_LINE, DATA, DATA_END, FINAL_END, TRAILER_LINE, DONE }

    private final ChunkSigning signing;
    private final PayloadChecksum checksum;
    private final boolean trailer;
    private final StringBuilder line = new StringBuilder();
    private final MessageDigest chunkDigest = sha256();
    private final List<String> trailers = new ArrayList<>();
    private State state = State.SIZE_LINE;
    private long remaining;
    private String chunkSignature;
    private DataBuffer heldBack;

    /**
     * @param signing the chain of chunk signatures, or {@code null} for unsigned chunks
     * @param checksum the checksum the trailer must carry, or {@code null} when none is announced
     * @param trailer whether a trailer section follows the last chunk
     */
    AwsChunked(ChunkSigning signing, PayloadChecksum checksum, boolean trailer) {
        this.signing = signing;
        this.checksum = checksum;
        this.trailer = trailer;
    }

    /** The decoded bytes of {@code body}; fails with an S3 error when anything does not check out. */
    Flux<DataBuffer> decode(Flux<DataBuffer> body) {
        // feed releases each buffer itself, so the mapper must never throw (an operator whose
        // mapper throws discards the element too) and a failure must not be a callable
        // publisher (concatMap calls those at once, and discards the element when they throw).
        return DiscardedBuffers.release(body.concatMap(buffer -> {
                    try {
                        return Flux.fromIterable(feed(buffer));
                    } catch (RuntimeException e) {
                        return Flux.<DataBuffer>error(e).hide();
                    }
                })
                .concatWith(Mono.fromSupplier(this::finish))
                .doFinally(signal -> {
                    if (heldBack != null) {
                        DataBufferUtils.release(heldBack);
                        heldBack = null;
                    }
                }));
    }

    /** The slices of decoded data {@code buffer} completes, the last one held back; always releases {@code buffer}. */
    private List<DataBuffer> feed(DataBuffer buffer) {
        List<DataBuffer> out = new ArrayList<>(2);
        try {
            while (buffer.readableByteCount() > 0) {
                switch (state) {
                    case SIZE_LINE -> {
                        String header = readLine(buffer);
                        if (header != null) {
                            startChunk(header);
                        }
                    }
                    case DATA -> {
                        int n = (int) Math.min(remaining, buffer.readableByteCount());
                        DataBuffer data = buffer.split(buffer.readPosition() + n);
                        try (DataBuffer.ByteBufferIterator views = data.readableByteBuffers()) {
                            views.forEachRemaining(view -> {
                                if (signing != null) {
                                    chunkDigest.update(view.duplicate());
                                }
                                if (checksum != null) {
                                    checksum.update(view.duplicate());
                                }
                            });
                        }
                        remaining -= n;
                        if (heldBack != null) {
                            out.add(heldBack);
                        }
                        heldBack = data;
                        if (remaining == 0) {
                            state = State.DATA_END;
                        }
                    }
                    case DATA_END -> {
                        String end = readLine(buffer);
                        if (end != null) {
                            if (!end.isEmpty()) {
                                throw malformed("a chunk's data is longer than its size says");
                            }
                            endChunk(HexFormat.of().formatHex(chunkDigest.digest()));
                            state = State.SIZE_LINE;
                        }
                    }
                    case FINAL_END -> {
                        String end = readLine(buffer);
                        if (end != null) {
                            if (!end.isEmpty()) {
                                throw malformed("the final chunk is not followed by an empty line");
                            }
                            state = State.DONE;
                        }
                    }
                    case TRAILER_LINE -> {
                        String trailerLine = readLine(buffer);
                        if (trailerLine != null && trailerLine.isEmpty()) {
                            endTrailers();
                        } else if (trailerLine != null) {
                            trailers.add(trailerLine);
                        }
                    }
                    case DONE -> throw malformed("bytes follow the end of the aws-chunked body");
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.forEach(DataBufferUtils::release);
            throw e;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /** The held-back last slice, once the whole body checked out; nothing for an empty body. */
    private DataBuffer finish() {
        if (state != State.DONE) {
            throw new GranaryException(ErrorCode.INCOMPLETE_BODY, "The aws-chunked body ended before its final chunk"
                    + (trailer ? " and trailer" : "") + ".");
        }
        DataBuffer last = heldBack;
        heldBack = null;
        return last;
    }

    /** The line being read, once its CRLF has arrived (without it); {@code null} while it has not. */
    private String readLine(DataBuffer buffer) {
        while (buffer.readableByteCount() > 0) {
            char c = (char) (buffer.read() & 0xff);
            if (c == '\n') {
                if (line.isEmpty() || line.charAt(line.length() - 1) != '\r') {
                    throw malformed("a line does not end with CRLF");
                }
                String complete = line.substring(0, line.length() - 1);
                line.setLength(0);
                return complete;
            }
            if (line.length() == MAX_LINE) {
                throw malformed("a chunk header or trailer line is longer than " + MAX_LINE + " bytes");
            }
            line.append(c);
        }
        return null;
    }

    private void startChunk(String header) {
        int semicolon = header.indexOf(';');
        String size = semicolon < 0 ? header : header.substring(0, semicolon);
        try {
            remaining = Long.parseLong(size.strip(), 16);
        } catch (NumberFormatException e) {
            throw malformed("a chunk size is not hexadecimal: '" + size + "'");
        }
        if (remaining < 0) {
            throw malformed("a chunk size is negative");
        }
        chunkSignature = null;
        if (signing != null) {
            String extension = semicolon < 0 ? "" : header.substring(semicolon + 1).strip();
            if (!extension.startsWith("chunk-signature=")) {
                throw malformed("a signed chunk has no chunk-signature");
            }
            chunkSignature = extension.substring("chunk-signature=".length());
        }
        if (remaining > 0) {
            state = State.DATA;
            return;
        }
        // The final, empty chunk: its signature covers no data; trailers or an empty line follow.
        endChunk(EMPTY_SHA256);
        state = trailer ? State.TRAILER_LINE : State.FINAL_END;
    }

    private void endChunk(String dataSha256) {
        if (signing != null) {
            signing.verifyChunk(chunkSignature, dataSha256);
        }
    }

    private void endTrailers() {
        String value = null;
        String signature = null;
        StringBuilder signedTrailers = new StringBuilder();
        for (String header : trailers) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw malformed("a trailer line is not 'name:value'");
            }
            String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String content = header.substring(colon + 1).strip();
            if (name.equals("x-amz-trailer-signature")) {
                signature = content;
            } else {
                signedTrailers.append(name).append(':').append(content).append('\n');
                if (checksum != null && name.equals(checksum.header())) {
                    value = content;
                }
            }
        }
        if (signing != null) {
            if (signature == null) {
                throw new GranaryException(ErrorCode.SIGNATURE_MISMATCH, "The signed trailer has no x-amz-trailer-signature.");
            }
            signing.verifyTrailer(signature, signedTrailers.toString());
        }
        state = State.DONE;
        verifyChecksum(value);
    }

    private void verifyChecksum(String trailingValue) {
        if (checksum == null) {
            return;
        }
        if (trailingValue == null) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "The trailer announced in x-amz-trailer (" + checksum.header()
                    + ") was not sent.");
        }
        checksum.verify(trailingValue);
    }

    private static GranaryException malformed(String what) {
        return new GranaryException(ErrorCode.MALFORMED_BODY, "The aws-chunked body is malformed: " + what + "; nothing was stored.");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
