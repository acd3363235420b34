package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectService;
import io.granary.object.StoredObject;
import io.granary.security.Principal;
import io.granary.storage.BlobContent;
import io.granary.storage.ByteRange;
import io.granary.upload.MultipartService;
import io.granary.upload.PartChecksum;
import io.granary.web.Requests;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * UploadPartCopy ({@code PUT} with {@code partNumber}, {@code uploadId} and
 * {@code x-amz-copy-source}): the source object's bytes, or the range
 * {@code x-amz-copy-source-range: bytes=first-last} of them, become a part of the upload. The
 * source is read as a GET reads it ({@code read} on its bucket, the {@code x-amz-copy-source-if-*}
 * conditions as CopyObject checks them) and streamed into the upload as an UploadPart's body, so
 * the part is checked, stored and replaced as any other part ({@code write} on the target).
 * A range that is not {@code bytes=first-last} within the object is {@code InvalidArgument}, as
 * S3 answers; then nothing is read or stored.
 */
final class S3PartCopy {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-(\\d{1,18})");

    private final ObjectService objects;
    private final MultipartService multipart;

    S3PartCopy(ObjectService objects, MultipartService multipart) {
        this.objects = objects;
        this.multipart = multipart;
    }

    Mono<ServerResponse> copyPart(ServerRequest request, S3Path target, String uploadId) {
        int number = S3Multipart.partNumber(request);
        HttpHeaders headers = request.headers().asHttpHeaders();
        S3Path source = S3CopySource.parse(headers.getFirst("x-amz-copy-source"));
        String rangeHeader = headers.getFirst("x-amz-copy-source-range");
        Matcher range = rangeHeader == null ? null : RANGE.matcher(rangeHeader.strip());
        if (range != null && !range.matches()) {
            throw new GranaryException(ErrorCode.INVALID_COPY_RANGE, "The x-amz-copy-source-range value must be of the form"
                    + " bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy.");
        }
        Principal principal = Requests.principal(request);
        return S3CopySource.read(objects, principal, source, headers)
                .flatMap(found -> {
                    ByteRange bytes = range == null ? null : within(range, found);
                    long length = bytes == null ? found.size() : bytes.length();
                    // Cold: nothing is opened unless the upload takes the part.
                    Flux<DataBuffer> body = objects.open(found, bytes).flatMapMany(BlobContent::stream)
                            // Replaced or deleted since it was looked up: to the client, it is gone.
                            .onErrorMap(error -> error instanceof GranaryException g && g.code() == ErrorCode.BLOB_NOT_FOUND,
                                    error -> new GranaryException(ErrorCode.OBJECT_NOT_FOUND,
                                            "No object with key '" + source.key() + "'."));
                    // Where the upload has a checksum algorithm, the copied bytes' checksum is computed as they pass.
                    return multipart.uploadPart(principal, target.bucket(), uploadId, number, length, body, PartChecksum.COMPUTED);
                })
                .flatMap(part -> {
                    S3Xml xml = S3Xml.document("CopyPartResult")
                            .element("ETag", "\"" + part.etag() + "\"")
                            .element("LastModified", S3ListOperations.TIMESTAMP.format(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
                    S3MultipartChecksums.element(xml, part.checksum());
                    return ServerResponse.ok().contentType(MediaType.APPLICATION_XML).bodyValue(xml.end("CopyPartResult"));
                });
    }

    /** The requested range, which must lie within the source (S3 neither clips nor ignores it, unlike a GET's). */
    private static ByteRange within(Matcher range, StoredObject source) {
        long first = Long.parseLong(range.group(1));
        long last = Long.parseLong(range.group(2));
        if (first > last || last >= source.size()) {
            throw new GranaryException(ErrorCode.INVALID_COPY_RANGE,
                    "Range specified is not valid for source object of size: " + source.size());
        }
        return new ByteRange(first, last);
    }
}
