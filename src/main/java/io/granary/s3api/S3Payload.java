package io.granary.s3api;

import io.granary.checksum.Checksum;
import io.granary.checksum.ChecksumAlgorithm;
import io.granary.common.DiscardedBuffers;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectChecksum;
import io.granary.web.Requests;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The body of an S3 upload (PutObject, UploadPart) as its payload mode says: whole, with its
 * SHA-256 signed or not, or aws-chunked, decoded as it streams ({@link AwsChunked}).
 *
 * @param length the payload's length once decoded, {@code null} when not declared
 * @param signedSha256 the whole payload's signed SHA-256 in hex, {@code null} otherwise
 * @param declared a whole payload's {@code x-amz-checksum-*} header ({@code null} for none), checked by
 *     {@link #verifiedBody}; an aws-chunked body's trailing checksum is checked as it is decoded
 * @param trailing the checksum an aws-chunked body's trailer carries, or {@code null}
 */
record S3Payload(Long length, Flux<DataBuffer> body, String signedSha256, DeclaredChecksum declared, PayloadChecksum trailing) {

    /** A checksum header and the value it declares. */
    record DeclaredChecksum(PayloadChecksum checksum, String value) {
    }

    private static final List<String> CHECKSUM_HEADERS = List.of("x-amz-checksum-crc32",
            "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme", "x-amz-checksum-sha1", "x-amz-checksum-sha256");

    /** The first {@code x-amz-checksum-*} header there is, or {@code null}. */
    static DeclaredChecksum declared(HttpHeaders headers) {
        for (String name : CHECKSUM_HEADERS) {
            String value = headers.getFirst(name);
            if (value != null) {
                return new DeclaredChecksum(PayloadChecksum.announced(name), value.strip());
            }
        }
        return null;
    }

    /**
     * The body, checked against its declared checksum and, when {@code withSha256}, its signed
     * SHA-256: it fails at its end ({@code BadDigest}, {@code XAmzContentSHA256Mismatch}) unless
     * the bytes match, and its last buffer is held back until then, so a store told the length
     * never receives every byte of a body that does not match. (PutObject's service checks the
     * SHA-256 itself, from the digest it computes anyway.)
     */
    Flux<DataBuffer> verifiedBody(boolean withSha256) {
        String sha256 = withSha256 ? signedSha256 : null;
        if (sha256 == null && declared == null) {
            return body;
        }
        MessageDigest digest = sha256 == null ? null : sha256();
        AtomicReference<DataBuffer> held = new AtomicReference<>();
        return DiscardedBuffers.release(body
                .concatMap(buffer -> {
                    try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
                        views.forEachRemaining(view -> {
                            if (digest != null) {
                                digest.update(view.duplicate());
                            }
                            if (declared != null) {
                                declared.checksum().update(view.duplicate());
                            }
                        });
                    }
                    DataBuffer previous = held.getAndSet(buffer);
                    return previous == null ? Flux.<DataBuffer>empty() : Flux.just(previous);
                })
                .concatWith(Mono.fromSupplier(() -> {
                    if (declared != null) {
                        declared.checksum().verify(declared.value());
                    }
                    if (digest != null && !HexFormat.of().formatHex(digest.digest()).equals(sha256.toLowerCase(Locale.ROOT))) {
                        throw new GranaryException(ErrorCode.CONTENT_SHA256_MISMATCH,
                                "The body's SHA-256 does not match x-amz-content-sha256; nothing was stored.");
                    }
                    return held.getAndSet(null);
                }))
                .doFinally(signal -> {
                    DataBuffer left = held.getAndSet(null);
                    if (left != null) {
                        DataBufferUtils.release(left);
                    }
                }));
    }

    /**
     * This payload with its {@code x-amz-checksum-*} header not taken as the body's: on
     * CompleteMultipartUpload such a header is the completed object's checksum.
     */
    S3Payload withoutDeclaredChecksum() {
        return new S3Payload(length, body, signedSha256, null, trailing);
    }

    /**
     * The whole body's checksum the client sent (in a header or the trailer) once the body has
     * ended and it matched; {@code null} when none was sent.
     */
    ObjectChecksum verifiedChecksum() {
        PayloadChecksum sent = sent();
        return sent == null ? null : sent.verifiedWhole();
    }

    /** As {@link #verifiedChecksum}, for a part. */
    Checksum verifiedPartChecksum() {
        PayloadChecksum sent = sent();
        return sent == null ? null : sent.verified();
    }

    /** The algorithm of the checksum the client sent (in a header or announced for the trailer), or {@code null}. */
    ChecksumAlgorithm checksumAlgorithm() {
        PayloadChecksum sent = sent();
        return sent == null ? null : sent.algorithm();
    }

    private PayloadChecksum sent() {
        return declared != null ? declared.checksum() : trailing;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    static S3Payload of(ServerRequest request) {
        HttpHeaders headers = request.headers().asHttpHeaders();
        String mode = headers.getFirst(S3Authenticator.CONTENT_SHA256);
        if (mode != null && mode.startsWith("STREAMING-")) {
            PayloadChecksum trailing = PayloadChecksum.announced(headers.getFirst("x-amz-trailer"));
            // A checksum may come as a header with chunks too (an SDK given the value beforehand); checked on the decoded bytes.
            DeclaredChecksum declared = declared(headers);
            if (declared != null && trailing != null) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST,
                        "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
            }
            return new S3Payload(decodedLength(headers), chunks(request, mode, trailing).decode(Requests.body(request)), null, declared,
                    trailing);
        }
        long length = headers.getContentLength();
        return new S3Payload(length >= 0 ? length : null, Requests.body(request), signedHash(mode), declared(headers), null);
    }

    /** The decoder of an aws-chunked body, by its payload mode. */
    private static AwsChunked chunks(ServerRequest request, String mode, PayloadChecksum checksum) {
        ChunkSigning signing = (ChunkSigning) request.attribute(S3Authenticator.CHUNK_SIGNING).orElse(null);
        if (signing == null && mode.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")) {
            throw new GranaryException(ErrorCode.AUTHORIZATION_MALFORMED, "Signed chunks need a request signed with SigV4.");
        }
        return switch (mode) {
            case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" -> new AwsChunked(signing, checksum, false);
            case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" -> new AwsChunked(signing, checksum, true);
            case "STREAMING-UNSIGNED-PAYLOAD-TRAILER" -> new AwsChunked(null, checksum, true);
            default -> throw new GranaryException(ErrorCode.NOT_IMPLEMENTED, "The payload mode " + mode
                    + " is not supported (SigV4a is not); use STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER],"
                    + " STREAMING-UNSIGNED-PAYLOAD-TRAILER, UNSIGNED-PAYLOAD or the payload's SHA-256.");
        };
    }

    /** An aws-chunked body's length once decoded, which S3 requires in {@code x-amz-decoded-content-length}. */
    private static Long decodedLength(HttpHeaders headers) {
        String value = headers.getFirst("x-amz-decoded-content-length");
        if (value == null) {
            throw new GranaryException(ErrorCode.LENGTH_REQUIRED, "An aws-chunked body needs x-amz-decoded-content-length.");
        }
        try {
            long length = Long.parseLong(value.strip());
            if (length < 0) {
                throw new NumberFormatException(value);
            }
            return length;
        } catch (NumberFormatException e) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "x-amz-decoded-content-length must be a number of bytes.");
        }
    }

    /** The payload hash the signature covers, when it is one; {@code null} for an unsigned payload. */
    private static String signedHash(String hash) {
        if (hash == null || hash.equals(SigV4.UNSIGNED_PAYLOAD)) {
            return null;
        }
        if (hash.length() != 64 || !hash.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new GranaryException(ErrorCode.INVALID_DIGEST, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or 64 hex characters.");
        }
        return hash;
    }
}
