package io.granary.object;

import io.granary.bucket.Bucket;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Principal;
import io.granary.storage.BlobContent;
import io.granary.storage.ByteRange;
import io.granary.web.Requests;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The HTTP semantics of reading and writing objects that every front-end (REST, S3) applies
 * alike: conditional requests, ranges, the write conditions of a PUT, sending bytes, and reading
 * once more when a version vanishes mid-read.
 */
public final class ObjectHttp {

    /** Query parameter naming the version a GET or HEAD wants. */
    public static final String VERSION_PARAMETER = "versionId";

    private ObjectHttp() {
    }

    /**
     * {@code read}, and once more when the version it described was replaced or deleted between
     * reading its metadata and opening its bytes; after that, 404 {@code object_not_found}.
     */
    public static <T> Mono<T> readingTwice(Supplier<Mono<T>> read) {
        return read.get()
                // Evaluated once more against the new state.
                .onErrorResume(ObjectHttp::vanished, error -> read.get())
                .onErrorMap(ObjectHttp::vanished,
                        error -> new GranaryException(ErrorCode.OBJECT_NOT_FOUND, "The object changed while being read; retry."));
    }

    /**
     * Whether an entity-tag header's values ({@code If-Match} style: {@code *} or quoted tags)
     * name this version; a malformed value is a 400.
     */
    public static boolean tagsMatch(List<String> headerValues, String header, StoredObject object) {
        return EntityTags.matches(EntityTags.parse(headerValues, header), object.etag());
    }

    private static boolean vanished(Throwable error) {
        return error instanceof GranaryException g && g.code() == ErrorCode.BLOB_NOT_FOUND;
    }

    /** The condition of a PUT: {@code If-None-Match: *} or {@code If-Match}; 400 for both or for other forms. */
    public static WriteCondition writeCondition(HttpHeaders headers) {
        List<String> ifNoneMatch = EntityTags.parse(headers.get(HttpHeaders.IF_NONE_MATCH), HttpHeaders.IF_NONE_MATCH);
        List<String> ifMatch = EntityTags.parse(headers.get(HttpHeaders.IF_MATCH), HttpHeaders.IF_MATCH);
        if (!ifNoneMatch.isEmpty() && !ifMatch.isEmpty()) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "Send If-Match or If-None-Match, not both.");
        }
        if (!ifNoneMatch.isEmpty()) {
            if (!ifNoneMatch.equals(List.of(EntityTags.ANY))) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "On PUT, If-None-Match supports only '*'.");
            }
            return new WriteCondition.Absent();
        }
        if (!ifMatch.isEmpty()) {
            return new WriteCondition.Matching(ifMatch.contains(EntityTags.ANY) ? List.of() : ifMatch);
        }
        return new WriteCondition.None();
    }

    /**
     * The key exactly as the client encoded it in the path, decoded strictly: everything after
     * {@code /v1/buckets/{bucket}/objects/} or {@code /public/{tenant}/{bucket}/}.
     */
    public static String key(ServerRequest request) {
        String raw = request.requestPath().pathWithinApplication().value();
        int at = 0;
        for (int segments = raw.startsWith("/public/") ? 3 : 4; segments > 0; segments--) {
            at = raw.indexOf('/', at + 1);
            if (at < 0) {
                throw new GranaryException(ErrorCode.INVALID_KEY, "Invalid object key: the key is empty.");
            }
        }
        return ObjectKeys.fromRawPath(raw.substring(at + 1));
    }

    /** The attachment name: pinned by a signed URL, or asked for with {@code ?download=}. */
    public static Optional<String> downloadName(ServerRequest request) {
        return Requests.principal(request) instanceof Principal.Grant grant && grant.download() != null
                ? Optional.of(grant.download())
                : request.queryParam("download").filter(name -> !name.isBlank());
    }

    /**
     * A URL naming a version ({@code ?versionId=}) reaches that version only while it is the
     * current one; after it was replaced or deleted, the URL is a 404, never other bytes. Its
     * answer can therefore be cached for good ({@code immutable}).
     */
    public static Mono<FoundObject> requireVersion(ServerRequest request, FoundObject found) {
        Optional<String> version = request.queryParam(VERSION_PARAMETER);
        if (version.isPresent() && !version.get().equals(found.object().versionId())) {
            return Mono.error(new GranaryException(ErrorCode.OBJECT_NOT_FOUND,
                    "Version '" + version.get() + "' is not the current version of this object."));
        }
        return Mono.just(found);
    }

    /** The object's {@code Cache-Control}, else its bucket's default; made immutable on a versioned URL. */
    public static String cacheControl(ServerRequest request, Bucket bucket, StoredObject object) {
        String value = object.cacheControl() != null ? object.cacheControl() : bucket.cacheControl();
        if (request.queryParam(VERSION_PARAMETER).isEmpty()) {
            return value;
        }
        if (value == null) {
            value = (Requests.principal(request) instanceof Principal.Anonymous ? "public" : "private") + ", max-age=31536000";
        } else if (!value.contains("max-age")) {
            value = value + ", max-age=31536000";
        }
        return value.contains("immutable") ? value : value + ", immutable";
    }

    /**
     * RFC 9110 conditional GET/HEAD: If-Match and If-Unmodified-Since fail with 412 (Spring's
     * helper evaluates them for unsafe methods only); If-None-Match and If-Modified-Since answer 304.
     */
    public static Mono<ServerResponse> preconditions(ServerRequest request, StoredObject object) {
        return preconditions(request, object.etag(), object.lastModified());
    }

    /**
     * {@link #preconditions(ServerRequest, StoredObject)} for a representation with its own
     * entity tag (unquoted; a rendition's) and the time it last changed.
     */
    public static Mono<ServerResponse> preconditions(ServerRequest request, String etag, Instant lastModified) {
        HttpHeaders headers = request.headers().asHttpHeaders();
        List<String> ifMatch = EntityTags.parse(headers.get(HttpHeaders.IF_MATCH), HttpHeaders.IF_MATCH);
        // Parsed only to refuse malformed values with a 400; Spring evaluates the header below.
        EntityTags.parse(headers.get(HttpHeaders.IF_NONE_MATCH), HttpHeaders.IF_NONE_MATCH);
        boolean failed = !ifMatch.isEmpty()
                ? !EntityTags.matches(ifMatch, etag)
                : headers.getIfUnmodifiedSince() >= 0
                        && lastModified.getEpochSecond() > headers.getIfUnmodifiedSince() / 1000;
        if (failed) {
            return Mono.error(new GranaryException(ErrorCode.PRECONDITION_FAILED,
                    "The object does not match the request's precondition."));
        }
        if (headers.getFirst(HttpHeaders.IF_NONE_MATCH) == null && headers.getFirst(HttpHeaders.IF_MODIFIED_SINCE) == null) {
            // Nothing could make this a 304. Asking the exchange anyway cost every plain GET a
            // Last-Modified date formatted into the response headers, which describe() sets again.
            return Mono.empty();
        }
        return request.checkNotModified(lastModified, "\"" + etag + "\"");
    }

    /** A single satisfiable range, {@code null} for the whole object; several ranges get the whole object. */
    public static ByteRange range(ServerRequest request, StoredObject object) {
        String header = request.headers().firstHeader(HttpHeaders.RANGE);
        if (header == null) {
            return null;
        }
        String ifRange = request.headers().firstHeader(HttpHeaders.IF_RANGE);
        if (ifRange != null && !validatorMatches(ifRange.strip(), object)) {
            return null; // the client's copy is stale: send everything
        }
        List<HttpRange> ranges;
        try {
            ranges = HttpRange.parseRanges(header);
        } catch (IllegalArgumentException e) {
            return null; // RFC 9110: an invalid Range header is ignored
        }
        if (ranges.size() != 1) {
            return null;
        }
        HttpRange only = ranges.get(0);
        long size = object.size();
        try {
            long first = only.getRangeStart(size);
            long last = only.getRangeEnd(size);
            if (size == 0 || first >= size || last < first) {
                throw unsatisfiable(size);
            }
            return new ByteRange(first, last);
        } catch (IllegalArgumentException e) {
            throw unsatisfiable(size);
        }
    }

    /** If-Range holds an entity tag or an HTTP date; either must match the current version exactly. */
    private static boolean validatorMatches(String validator, StoredObject object) {
        if (validator.startsWith("\"") || validator.startsWith("W/")) {
            return validator.equals(object.quotedEtag());
        }
        try {
            long date = java.time.ZonedDateTime.parse(validator, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toEpochSecond();
            return date == object.lastModified().getEpochSecond();
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static GranaryException unsatisfiable(long size) {
        return new GranaryException(ErrorCode.INVALID_RANGE, "The range lies outside the object's " + size + " bytes.",
                Map.of(HttpHeaders.CONTENT_RANGE, "bytes */" + size));
    }

    /** Sends a local file region with zero-copy {@code sendfile} where the server supports it. */
    public static BodyInserter<?, ReactiveHttpOutputMessage> inserter(BlobContent content) {
        if (content instanceof BlobContent.LocalFile file) {
            return (message, context) -> message instanceof ZeroCopyHttpOutputMessage zeroCopy
                    ? zeroCopy.writeWith(file.path(), file.position(), file.count())
                    : message.writeWith(file.stream());
        }
        return BodyInserters.fromDataBuffers(content.stream());
    }
}
