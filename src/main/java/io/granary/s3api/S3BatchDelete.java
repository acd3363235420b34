package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectService;
import io.granary.web.Requests;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * DeleteObjects ({@code POST /bucket?delete}): up to 1,000 keys in one request, through the
 * object service's bulk delete. As S3 requires, the body carries a checksum: {@code Content-MD5}
 * or any {@code x-amz-checksum-*}, checked before anything is deleted. A key that does not
 * exist counts as deleted, as in S3.
 */
final class S3BatchDelete {

    /** 1,000 keys of at most 1,024 bytes each, escaped, fit well within this. */
    private static final int MAX_BODY = 2 * 1024 * 1024;
    private final ObjectService objects;

    S3BatchDelete(ObjectService objects) {
        this.objects = objects;
    }

    Mono<ServerResponse> delete(ServerRequest request, String bucket) {
        return S3XmlReader.read(request, MAX_BODY, "DeleteObjects")
                .flatMap(body -> {
                    S3BodyChecksum.require(request.headers().asHttpHeaders(), body, "nothing was deleted");
                    S3XmlReader.DeleteRequest asked = S3XmlReader.delete(body);
                    if (asked.keys().isEmpty() || asked.keys().size() > 1000) {
                        throw new GranaryException(ErrorCode.MALFORMED_XML, "A DeleteObjects request names 1 to 1,000 keys.");
                    }
                    return objects.deleteMany(Requests.principal(request), bucket, asked.keys())
                            .map(result -> answer(result, asked.quiet()));
                })
                .flatMap(xml -> ServerResponse.ok().contentType(MediaType.APPLICATION_XML).bodyValue(xml));
    }

    private static String answer(ObjectService.BulkDeleteResult result, boolean quiet) {
        S3Xml xml = S3Xml.document("DeleteResult");
        if (!quiet) {
            result.deleted().forEach(key -> xml.open("Deleted").element("Key", key).close("Deleted"));
        }
        for (Map<String, String> failure : result.errors()) {
            ErrorCode code = ErrorCode.ofCode(failure.get("code"));
            if (code == ErrorCode.OBJECT_NOT_FOUND) {
                if (!quiet) {
                    xml.open("Deleted").element("Key", failure.get("key")).close("Deleted");
                }
                continue;
            }
            xml.open("Error").element("Key", failure.get("key"))
                    .element("Code", code == null ? "InternalError" : code.s3Code())
                    .element("Message", failure.get("detail")).close("Error");
        }
        return xml.end("DeleteResult");
    }
}
