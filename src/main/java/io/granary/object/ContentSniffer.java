package io.granary.object;

import io.granary.common.DiscardedBuffers;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypeException;
import org.apache.tika.mime.MimeTypes;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Checks an upload's first bytes against its declared content type with Tika's magic-number
 * detection, while the body streams through untouched: only a copy of the first
 * {@link #SNIFF_BYTES} bytes is kept. A contradiction fails the stream with 415
 * {@code content_type_mismatch}, so nothing is stored. What the bytes were detected as is kept
 * ({@link #detected()}) and stored with the object, so that later changes of the declared type
 * (a PATCH, a copy) are judged by the same rules without reading the bytes again. The rules, which depend only on the detected type and the declared one:
 * <ul>
 *   <li>bytes recognised as a specific type must be that type, a specialisation of it (a
 *       {@code .docx} declared as {@code application/zip}) or a generalisation of it;</li>
 *   <li>bytes that are not recognised (plain text, unknown binary) are accepted unless the
 *       declared type is a non-text type Tika has magic numbers for: a "PNG" that does not start
 *       like a PNG is refused;</li>
 *   <li>an empty body has nothing to check (its detected type is {@code null}).</li>
 * </ul>
 */
final class ContentSniffer {

    static final int SNIFF_BYTES = 8192;
    // Read from Tika's jar and parsed (a large XML file) when this class is initialised: see
    // loadTypes().
    private static final MimeTypes TYPES = MimeTypes.getDefaultMimeTypes();
    private static final MediaTypeRegistry REGISTRY = TYPES.getMediaTypeRegistry();
    // The same detection without Tika's per-pattern cost; null if this Tika cannot be indexed.
    private static final MagicIndex INDEX = MagicIndex.of(TYPES);

    private final String declaredType;
    private final Head head = new Head();
    private String detected;

    /**
     * Loads Tika's type database, once. The services that sniff call this while they are being
     * built at start-up, so that the first upload does not read and parse it on an event loop.
     */
    static void loadTypes() {
        // Initialising the class is the work; nothing else to do.
    }

    /** One sniffer per upload, for bytes declared as {@code declaredType}. */
    ContentSniffer(String declaredType) {
        this.declaredType = declaredType;
    }

    /**
     * {@code body} unchanged, failing as soon as its first {@link #SNIFF_BYTES} bytes contradict
     * the declared type. A shorter body is judged by {@link #verify()} once it is complete.
     */
    Flux<DataBuffer> observe(Flux<DataBuffer> body) {
        return body.handle((buffer, sink) -> {
            if (!head.decided) {
                head.take(buffer);
                if (head.length == SNIFF_BYTES) {
                    GranaryException mismatch = decide();
                    if (mismatch != null) {
                        DataBufferUtils.release(buffer);
                        sink.error(mismatch);
                        return;
                    }
                }
            }
            sink.next(buffer);
        });
    }

    /**
     * After the body completed: fails for a short body that contradicts the declared type. (A
     * failure signalled at the very end of the stream could come too late for a store that
     * already has all the bytes it was told to expect, so it is checked here instead.)
     */
    void verify() {
        if (!head.decided && head.length > 0) {
            GranaryException mismatch = decide();
            if (mismatch != null) {
                throw mismatch;
            }
        }
    }

    /** What the bytes were detected as, once judged; {@code null} for an empty body. */
    String detected() {
        return detected;
    }

    private GranaryException decide() {
        head.decided = true;
        detected = detect(head.bytes());
        return mismatch(detected, declaredType);
    }

    /**
     * What the first bytes of some content are, by magic numbers: a specific type, or
     * {@code text/plain} / {@code application/octet-stream} for unrecognised text / binary;
     * {@code null} for no bytes at all.
     */
    static String detect(byte[] first) {
        if (first.length == 0) {
            return null;
        }
        try {
            // The index answers most bodies; the rest (several candidate types, XML and HTML,
            // whose root element decides) are Tika's to judge.
            MediaType indexed = INDEX == null ? null : INDEX.detect(first, first.length);
            MediaType type = indexed != null ? indexed : TYPES.detect(new ByteArrayInputStream(first), new Metadata());
            return REGISTRY.normalize(type).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory stream does not fail
        }
    }

    /**
     * The detected type of the first {@link #SNIFF_BYTES} bytes of {@code content} (empty for
     * no bytes). Reads no further than that and releases every buffer it takes.
     */
    static Mono<String> detect(Flux<DataBuffer> content) {
        return Mono.defer(() -> {
            Head first = new Head();
            return DiscardedBuffers.release(content
                    .map(buffer -> {
                        try {
                            first.take(buffer);
                            return first.length;
                        } finally {
                            DataBufferUtils.release(buffer);
                        }
                    })
                    // Buffers the source had in flight when the read was cut short are released.
                    .takeUntil(length -> length == SNIFF_BYTES))
                    .then(Mono.fromSupplier(() -> detect(first.bytes())));
        });
    }

    /** The failure the declared type calls for given these first bytes, or {@code null}. */
    static GranaryException mismatch(byte[] first, String declaredType) {
        return mismatch(detect(first), declaredType);
    }

    /**
     * The failure the declared type calls for given what the bytes were detected as
     * ({@link #detect}), or {@code null} when they fit or there were none.
     */
    static GranaryException mismatch(String detectedType, String declaredType) {
        if (detectedType == null) {
            return null;
        }
        MediaType declared = REGISTRY.normalize(MediaType.parse(declaredType).getBaseType());
        MediaType detected = REGISTRY.normalize(MediaType.parse(detectedType).getBaseType());
        boolean generic = detected.equals(MediaType.OCTET_STREAM) || detected.equals(MediaType.TEXT_PLAIN);
        // Equal or more specific bytes always fit (anything is application/octet-stream, plain
        // text is text/plain); a more specific declaration fits only recognised bytes, since
        // every type is a specialisation of the generic ones.
        boolean fits = detected.equals(declared) || REGISTRY.isSpecializationOf(detected, declared)
                || (generic ? !recognisable(declared) : REGISTRY.isSpecializationOf(declared, detected));
        return fits ? null : new GranaryException(ErrorCode.CONTENT_TYPE_MISMATCH,
                "The content is " + detected + ", not " + declared + " as declared.");
    }

    /** Whether bytes of this type would have been recognised: a non-text type with magic numbers. */
    private static boolean recognisable(MediaType type) {
        if ("text".equals(type.getType()) || REGISTRY.isSpecializationOf(type, MediaType.TEXT_PLAIN)) {
            return false;
        }
        try {
            return TYPES.forName(type.toString()).hasMagic();
        } catch (MimeTypeException e) {
            return false;
        }
    }

    /** The copied first bytes of the body. */
    private static final class Head {
        private final byte[] bytes = new byte[SNIFF_BYTES];
        int length;
        boolean decided;

        void take(DataBuffer buffer) {
            try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
                while (views.hasNext() && length < SNIFF_BYTES) {
                    ByteBuffer view = views.next();
                    int n = Math.min(view.remaining(), SNIFF_BYTES - length);
                    view.get(bytes, length, n);
                    length += n;
                }
            }
        }

        byte[] bytes() {
            return Arrays.copyOf(bytes, length);
        }
    }
}
