package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.error.GranaryException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;

/** The aws-chunked decoder alone, with the body cut into pieces at every possible place. */
class AwsChunkedDecoderTest {

    @Test
    void decodesWhereverTheBodyIsCut() {
        byte[] data = "hello, chunked world: more than one chunk of data".getBytes(StandardCharsets.US_ASCII);
        byte[] body = unsignedTrailerBody(data, 16, crc32(data));
        for (int piece = 1; piece <= body.length; piece++) {
            assertThat(decode(body, piece, PayloadChecksum.announced("x-amz-checksum-crc32"))).as("pieces of %d", piece)
                    .isEqualTo(data);
        }
    }

    @Test
    void aWrongChecksumOrAMissingEndFails() {
        byte[] data = "some data".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> decode(unsignedTrailerBody(data, 4, crc32("other".getBytes(StandardCharsets.US_ASCII))), 3,
                PayloadChecksum.announced("x-amz-checksum-crc32")))
                .isInstanceOf(GranaryException.class).hasMessageContaining("does not match");
        byte[] whole = unsignedTrailerBody(data, 4, crc32(data));
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertThatThrownBy(() -> decode(cut, 5, PayloadChecksum.announced("x-amz-checksum-crc32")))
                .isInstanceOf(GranaryException.class).hasMessageContaining("ended before");
    }

    private static byte[] decode(byte[] body, int piece, PayloadChecksum checksum) {
        List<DataBuffer> buffers = new ArrayList<>();
        for (int at = 0; at < body.length; at += piece) {
            buffers.add(DefaultDataBufferFactory.sharedInstance.wrap(java.util.Arrays.copyOfRange(body, at, Math.min(at + piece, body.length))));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new AwsChunked(null, checksum, true).decode(Flux.fromIterable(buffers)).doOnNext(buffer -> {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            out.writeBytes(bytes);
            DataBufferUtils.release(buffer);
        }).blockLast();
        return out.toByteArray();
    }

    static byte[] unsignedTrailerBody(byte[] data, int chunk, String crc) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int offset = 0; offset < data.length; offset += chunk) {
            int length = Math.min(chunk, data.length - offset);
            body.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            body.write(data, offset, length);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("0\r\nx-amz-checksum-crc32:" + crc + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    private static String crc32(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
