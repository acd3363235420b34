package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.StoredPart;
import io.granary.upload.MultipartService;
import io.granary.upload.MultipartStart;
import io.granary.upload.MultipartUpload;
import io.granary.web.Requests;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload and
 * ListParts, on the multipart machinery the REST API uses: an upload started here can be listed
 * and completed there, and the other way round. The upload id is Granary's.
 */
final class S3Multipart {

    /** 10,000 parts listed with their ETags fit well within this. */
    private static final int MAX_COMPLETION = 4 * 1024 * 1024;

    private final MultipartService multipart;

    S3Multipart(MultipartService multipart) {
        this.multipart = multipart;
    }

    Mono<ServerResponse> create(ServerRequest request, S3Path path) {
        HttpHeaders headers = request.headers().asHttpHeaders();
        MultipartStart start = new MultipartStart(path.key(), headers.getFirst(HttpHeaders.CONTENT_TYPE),
                headers.getFirst(HttpHeaders.CACHE_CONTROL), S3ObjectOperations.metadata(headers),
                S3ObjectTagging.fromHeader(headers));
        return multipart.start(Requests.principal(request), path.bucket(), start)
                .flatMap(upload -> xml(S3Xml.document("InitiateMultipartUploadResult").element("Bucket", path.bucket())
                        .element("Key", path.key()).element("UploadId", upload.id()).end("InitiateMultipartUploadResult")));
    }

    Mono<ServerResponse> uploadPart(ServerRequest request, S3Path path, String uploadId) {
        int number = partNumber(request);
        S3Payload payload = S3Payload.of(request);
        return multipart.uploadPart(Requests.principal(request), path.bucket(), uploadId, number, payload.length(),
                        payload.verifiedBody(true))
                .flatMap(part -> ServerResponse.ok().eTag("\"" + part.etag() + "\"").build());
    }

    Mono<ServerResponse> complete(ServerRequest request, S3Path path, String uploadId) {
        return S3XmlReader.read(request, MAX_COMPLETION, "CompleteMultipartUpload")
                .flatMap(body -> multipart.complete(Requests.principal(request), path.bucket(), uploadId, S3XmlReader.complete(body)))
                .flatMap(stored -> xml(S3Xml.document("CompleteMultipartUploadResult")
                        .element("Location", "/" + path.bucket() + "/" + path.key())
                        .element("Bucket", path.bucket()).element("Key", path.key()).element("ETag", stored.quotedEtag())
                        .end("CompleteMultipartUploadResult")));
    }

    Mono<ServerResponse> abort(ServerRequest request, S3Path path, String uploadId) {
        return multipart.abort(Requests.principal(request), path.bucket(), uploadId).then(ServerResponse.noContent().build());
    }

    Mono<ServerResponse> listParts(ServerRequest request, S3Path path, String uploadId) {
        return multipart.listParts(Requests.principal(request), path.bucket(), uploadId).flatMap(listing -> {
            if (listing.upload().state() != MultipartUpload.State.OPEN) {
                // S3 lists the parts of open uploads only: a completed or aborted one no longer exists there.
                return Mono.error(new GranaryException(ErrorCode.UPLOAD_NOT_FOUND, "The upload " + uploadId + " is "
                        + listing.upload().state().name().toLowerCase(java.util.Locale.ROOT) + "."));
            }
            S3Xml xml = S3Xml.document("ListPartsResult").element("Bucket", path.bucket()).element("Key", path.key())
                    .element("UploadId", uploadId).element("StorageClass", "STANDARD")
                    .element("MaxParts", 10000).element("IsTruncated", false);
            for (StoredPart part : listing.parts()) {
                xml.open("Part").element("PartNumber", part.number()).element("ETag", "\"" + part.etag() + "\"")
                        .element("Size", part.size()).close("Part");
            }
            return xml(xml.end("ListPartsResult"));
        });
    }

    /** The {@code partNumber} query parameter (UploadPart, UploadPartCopy); its range is the service's rule. */
    static int partNumber(ServerRequest request) {
        try {
            return Integer.parseInt(request.queryParam("partNumber").orElse(""));
        } catch (NumberFormatException e) {
            throw new GranaryException(ErrorCode.INVALID_PART_NUMBER, "partNumber must be a number from 1 to 10,000.");
        }
    }

    private static Mono<ServerResponse> xml(String body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_XML).bodyValue(body);
    }
}
