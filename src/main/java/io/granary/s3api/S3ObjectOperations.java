package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ExpectedDigests;
import io.granary.object.ObjectChecksum;
import io.granary.object.ObjectHeaders;
import io.granary.object.ObjectHttp;
import io.granary.object.ObjectService;
import io.granary.object.PutRequest;
import io.granary.object.StoredObject;
import io.granary.security.Principal;
import io.granary.storage.ByteRange;
import io.granary.web.Requests;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * PutObject, GetObject, HeadObject and DeleteObject, on the same object service as the REST
 * API: an object written here is the same object there (key, bytes, ETag, content type, user
 * metadata: {@code x-amz-meta-*} here is {@code X-Meta-*} there, in lowercase as S3 keeps it;
 * tags: {@code x-amz-tagging} here is {@code tags} there).
 */
final class S3ObjectOperations {

    static final String METADATA_PREFIX = "x-amz-meta-";
    static final String PARTS_COUNT_HEADER = "x-amz-mp-parts-count";
    private static final String CHECKSUM_MODE = "x-amz-checksum-mode";

    private final ObjectService objects;

    S3ObjectOperations(ObjectService objects) {
        this.objects = objects;
    }

    Mono<ServerResponse> put(ServerRequest request, S3Path path) {
        HttpHeaders headers = request.headers().asHttpHeaders();
        S3Payload payload = S3Payload.of(request);
        PutRequest put = new PutRequest(headers.getFirst(HttpHeaders.CONTENT_TYPE), payload.length(),
                headers.getFirst(HttpHeaders.CACHE_CONTROL), metadata(headers), S3ObjectTagging.fromHeader(headers),
                ExpectedDigests.s3(headers.getFirst("Content-MD5"), payload.signedSha256()),
                ObjectHttp.writeCondition(headers), payload::verifiedChecksum);
        return objects.put(Requests.principal(request), path.bucket(), path.key(), put, payload.verifiedBody(false))
                .flatMap(stored -> ServerResponse.ok().eTag(stored.quotedEtag()).build());
    }

    Mono<ServerResponse> get(ServerRequest request, S3Path path) {
        return ObjectHttp.readingTwice(() -> objects.stat(Requests.principal(request), path.bucket(), path.key())
                .flatMap(found -> ObjectHttp.preconditions(request, found.object())
                        .switchIfEmpty(Mono.defer(() -> respond(request, found.object())))));
    }

    Mono<ServerResponse> delete(ServerRequest request, S3Path path) {
        return objects.delete(Requests.principal(request), path.bucket(), path.key())
                // S3 answers a delete of a key that does not exist as one that did.
                .onErrorResume(error -> error instanceof GranaryException g && g.code() == ErrorCode.OBJECT_NOT_FOUND,
                        error -> Mono.empty())
                .then(ServerResponse.noContent().build());
    }

    private Mono<ServerResponse> respond(ServerRequest request, StoredObject object) {
        Integer part = partNumber(request);
        if (part != null && !object.hasPart(part)) {
            throw new GranaryException(ErrorCode.PART_NOT_SATISFIABLE, "The object has " + object.partCount()
                    + " part(s), not a part " + part + ".");
        }
        // An empty object's one part is the whole (empty) object, not a range of it.
        ByteRange range = part == null ? ObjectHttp.range(request, object) : object.part(part).orElse(null);
        ServerResponse.BodyBuilder builder = ServerResponse.status(range == null ? HttpStatus.OK : HttpStatus.PARTIAL_CONTENT)
                .headers(headers -> ObjectHeaders.describe(headers, object, object.cacheControl(), null, METADATA_PREFIX))
                .contentLength(range == null ? object.size() : range.length());
        if (!object.tags().isEmpty() && !(Requests.principal(request) instanceof Principal.Anonymous)) {
            // Only to callers who may read the tags, as S3 answers; an anonymous reader may not.
            builder.header(S3ObjectTagging.COUNT_HEADER, String.valueOf(object.tags().size()));
        }
        if (range != null) {
            builder.header(HttpHeaders.CONTENT_RANGE, "bytes " + range.first() + "-" + range.last() + "/" + object.size());
        }
        if (object.checksum() != null && "ENABLED".equalsIgnoreCase(request.headers().firstHeader(CHECKSUM_MODE))) {
            checksum(builder, object, part, range);
        }
        if (part != null && object.partSizes() != null) {
            // How a client reading by parts (the Java SDK's multipart download) learns how many there are;
            // S3 leaves it out for an object written whole.
            builder.header(PARTS_COUNT_HEADER, String.valueOf(object.partCount()));
        }
        if (request.method() == HttpMethod.HEAD || object.size() == 0) {
            return builder.build();
        }
        return objects.open(object, range).flatMap(content -> builder.body(ObjectHttp.inserter(content)));
    }

    /**
     * The object's checksum, asked for with {@code x-amz-checksum-mode: ENABLED}: the whole
     * object's; for a part of an object whose checksum is made of its parts' (COMPOSITE), that
     * part's own, as S3 answers; for the one part of an object of one part, the whole object's.
     * Any other range or part has none of its own.
     */
    private static void checksum(ServerResponse.BodyBuilder builder, StoredObject object, Integer part, ByteRange range) {
        ObjectChecksum checksum = object.checksum();
        String value = part == null ? (range == null ? checksum.value() : null)
                : checksum.type() == ObjectChecksum.Type.COMPOSITE ? checksum.partValue(part)
                : object.partCount() == 1 ? checksum.value() : null;
        if (value != null) {
            builder.header(PayloadChecksum.header(checksum.algorithm()), value);
            builder.header(S3MultipartChecksums.TYPE_HEADER, checksum.type().name());
        }
    }

    /** GetObject's and HeadObject's {@code partNumber}, or {@code null}; never together with a {@code Range}. */
    private static Integer partNumber(ServerRequest request) {
        Optional<String> value = request.queryParam("partNumber");
        if (value.isEmpty()) {
            return null;
        }
        if (request.headers().firstHeader(HttpHeaders.RANGE) != null) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Cannot specify both Range header and partNumber query parameter.");
        }
        int number = S3Multipart.partNumber(request);
        if (number < 1 || number > 10_000) {
            throw new GranaryException(ErrorCode.INVALID_PART_NUMBER, "partNumber must be a number from 1 to 10,000.");
        }
        return number;
    }

    /** The {@code x-amz-meta-*} headers as user metadata, names in lowercase as S3 keeps them. */
    static Map<String, String> metadata(HttpHeaders headers) {
        Map<String, String> metadata = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (name.regionMatches(true, 0, METADATA_PREFIX, 0, METADATA_PREFIX.length())) {
                metadata.put(name.substring(METADATA_PREFIX.length()).toLowerCase(Locale.ROOT), String.join(",", values));
            }
        });
        return metadata;
    }
}
