package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.upload.MultipartService;
import io.granary.upload.MultipartUpload;
import io.granary.upload.OpenUploads;
import io.granary.web.Requests;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * ListMultipartUploads ({@code GET /bucket?uploads}): the bucket's open multipart uploads, as
 * the multipart service lists them for the REST API too, so uploads started through either are
 * listed here. Paging follows S3: {@code key-marker} alone starts after every upload of that key,
 * with {@code upload-id-marker} just after that upload of it; a truncated page names where the
 * next one starts in {@code NextKeyMarker} and {@code NextUploadIdMarker}.
 */
final class S3MultipartListing {

    private final MultipartService multipart;

    S3MultipartListing(MultipartService multipart) {
        this.multipart = multipart;
    }

    Mono<ServerResponse> list(ServerRequest request, String bucket) {
        int maxUploads;
        try {
            maxUploads = Integer.parseInt(request.queryParam("max-uploads").orElse("1000"));
        } catch (NumberFormatException e) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "max-uploads must be an integer.");
        }
        if (maxUploads < 0) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "max-uploads must not be negative.");
        }
        int max = Math.min(maxUploads, OpenUploads.MAX_PER_PAGE);
        UnaryOperator<String> encoder = S3ListOperations.encoder(request);
        String prefix = request.queryParam("prefix").orElse("");
        String delimiter = request.queryParam("delimiter").filter(d -> !d.isEmpty()).orElse(null);
        String keyMarker = request.queryParam("key-marker").orElse("");
        // S3 ignores an upload-id-marker without a key-marker.
        Optional<String> uploadIdMarker = request.queryParam("upload-id-marker").filter(id -> !id.isEmpty() && !keyMarker.isEmpty());
        return multipart.listOpen(Requests.principal(request), bucket, prefix, delimiter, max, keyMarker,
                        uploadIdMarker.orElse(null))
                .flatMap(page -> {
                    S3Xml xml = S3Xml.document("ListMultipartUploadsResult").element("Bucket", bucket)
                            .element("KeyMarker", encoder.apply(keyMarker))
                            .element("UploadIdMarker", uploadIdMarker.orElse(""))
                            .element("NextKeyMarker", page.truncated() ? encoder.apply(page.nextKey()) : null)
                            .element("NextUploadIdMarker", page.truncated() ? page.nextUploadId() : null)
                            .element("Delimiter", delimiter == null ? null : encoder.apply(delimiter))
                            .element("Prefix", encoder.apply(prefix))
                            .element("MaxUploads", max)
                            .element("IsTruncated", page.truncated());
                    for (MultipartUpload upload : page.uploads()) {
                        xml.open("Upload").element("Key", encoder.apply(upload.upload().key()))
                                .element("UploadId", upload.id());
                        // The tenant owns what its credentials start, as in every other S3 answer here.
                        owner(xml, "Initiator", upload.tenantId());
                        owner(xml, "Owner", upload.tenantId());
                        xml.element("StorageClass", "STANDARD")
                                .element("Initiated", S3ListOperations.TIMESTAMP.format(upload.createdAt()));
                        S3MultipartChecksums.describe(xml, upload.checksum());
                        xml.close("Upload");
                    }
                    for (String common : page.prefixes()) {
                        xml.open("CommonPrefixes").element("Prefix", encoder.apply(common)).close("CommonPrefixes");
                    }
                    xml.element("EncodingType", request.queryParam("encoding-type").orElse(null));
                    return ServerResponse.ok().contentType(MediaType.APPLICATION_XML)
                            .bodyValue(xml.end("ListMultipartUploadsResult"));
                });
    }

    private static void owner(S3Xml xml, String element, String tenantId) {
        xml.open(element).element("ID", tenantId).element("DisplayName", tenantId).close(element);
    }
}
