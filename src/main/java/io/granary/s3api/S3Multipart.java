package io.granary.s3api;

import io.granary.checksum.Checksum;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectChecksum;
import io.granary.storage.StoredPart;
import io.granary.upload.MultipartService;
import io.granary.upload.MultipartStart;
import io.granary.upload.MultipartUpload;
import io.granary.upload.PartChecksum;
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
                S3ObjectTagging.fromHeader(headers), S3MultipartChecksums.fromCreate(headers));
        return multipart.start(Requests.principal(request), path.bucket(), start)
                .flatMap(upload -> ServerResponse.ok().contentType(MediaType.APPLICATION_XML)
                        .headers(answer -> S3MultipartChecksums.echo(answer, upload.checksum()))
                        .bodyValue(S3Xml.document("InitiateMultipartUploadResult").element("Bucket", path.bucket())
                                .element("Key", path.key()).element("UploadId", upload.id()).end("InitiateMultipartUploadResult")));
    }

    Mono<ServerResponse> uploadPart(ServerRequest request, S3Path path, String uploadId) {
        int number = partNumber(request);
        S3Payload payload = S3Payload.of(request);
        // A part sent without a checksum may not be given one here when its upload's is COMPOSITE, as S3 has it.
        PartChecksum sent = new PartChecksum(payload.checksumAlgorithm(), payload::verifiedPartChecksum, false);
        return multipart.uploadPart(Requests.principal(request), path.bucket(), uploadId, number, payload.length(),
                        payload.verifiedBody(true), sent)
                .flatMap(part -> {
                    // The part's recorded checksum, or (an upload without one) the one sent and checked.
                    Checksum checksum = part.checksum() != null ? part.checksum() : payload.verifiedPartChecksum();
                    ServerResponse.BodyBuilder answer = ServerResponse.ok().eTag("\"" + part.etag() + "\"");
                    if (checksum != null) {
                        answer.header(PayloadChecksum.header(checksum.algorithm()), checksum.value());
                    }
                    return answer.build();
                });
    }

    Mono<ServerResponse> complete(ServerRequest request, S3Path path, String uploadId) {
        // Its x-amz-checksum-* header is the completed object's checksum, not the document's.
        S3Payload payload = S3Payload.of(request).withoutDeclaredChecksum();
        return S3XmlReader.read(payload, MAX_COMPLETION, "CompleteMultipartUpload")
                .flatMap(body -> {
                    S3XmlReader.Completion completion = S3XmlReader.complete(body);
                    return multipart.complete(Requests.principal(request), path.bucket(), uploadId, completion.parts(),
                            S3MultipartChecksums.fromComplete(request.headers().asHttpHeaders(), completion.checksums()));
                })
                .flatMap(stored -> {
                    S3Xml xml = S3Xml.document("CompleteMultipartUploadResult")
                            .element("Location", "/" + path.bucket() + "/" + path.key())
                            .element("Bucket", path.bucket()).element("Key", path.key()).element("ETag", stored.quotedEtag());
                    ObjectChecksum checksum = stored.checksum();
                    if (checksum != null) {
                        xml.element("Checksum" + checksum.algorithm(), checksum.value()).element("ChecksumType", checksum.type().name());
                    }
                    return xml(xml.end("CompleteMultipartUploadResult"));
                });
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
            S3MultipartChecksums.describe(xml, listing.upload().checksum());
            for (StoredPart part : listing.parts()) {
                xml.open("Part").element("PartNumber", part.number()).element("ETag", "\"" + part.etag() + "\"")
                        .element("Size", part.size());
                S3MultipartChecksums.element(xml, part.checksum());
                xml.close("Part");
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
