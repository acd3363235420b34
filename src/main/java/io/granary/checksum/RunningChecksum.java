package io.granary.checksum;

import java.nio.ByteBuffer;
import java.util.Base64;
import org.springframework.core.io.buffer.DataBuffer;
import software.amazon.awssdk.checksums.SdkChecksum;

/**
 * A checksum being computed over bytes as they pass ({@link ChecksumAlgorithm#start}). Not
 * thread-safe: one stream's buffers arrive one after another.
 */
public final class RunningChecksum {

    private final ChecksumAlgorithm algorithm;
    private final SdkChecksum checksum;

    RunningChecksum(ChecksumAlgorithm algorithm, SdkChecksum checksum) {
        this.algorithm = algorithm;
        this.checksum = checksum;
    }

    public ChecksumAlgorithm algorithm() {
        return algorithm;
    }

    /** Adds the bytes of {@code bytes} from its position to its limit; the buffer itself is left as it was. */
    public void update(ByteBuffer bytes) {
        checksum.update(bytes.duplicate());
    }

    /** Adds the readable bytes of {@code buffer}, leaving its read position where it was. */
    public void update(DataBuffer buffer) {
        try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
            views.forEachRemaining(this::update);
        }
    }

    public void update(byte[] bytes) {
        checksum.update(bytes, 0, bytes.length);
    }

    /** The checksum of everything added so far, in base64 as S3 writes it. */
    public String base64() {
        return Base64.getEncoder().encodeToString(checksum.getChecksumBytes());
    }

    /** As {@link #base64}, with its algorithm. */
    public Checksum result() {
        return new Checksum(algorithm, base64());
    }
}
