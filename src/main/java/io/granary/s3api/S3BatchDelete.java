package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectService;
import io.granary.web.Requests;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import org.springframework.http.HttpHeaders;
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
                    verifyChecksum(request.headers().asHttpHeaders(), body);
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

    private static void verifyChecksum(HttpHeaders headers, byte[] body) {
        String md5 = headers.getFirst("Content-MD5");
        if (md5 != null) {
            if (!md5.strip().equals(Base64.getEncoder().encodeToString(md5(body)))) {
                throw new GranaryException(ErrorCode.BAD_DIGEST, "The body's MD5 does not match Content-MD5; nothing was deleted.");
            }
            return;
        }
        S3Payload.DeclaredChecksum declared = S3Payload.declared(headers);
        if (declared != null) {
            declared.checksum().update(ByteBuffer.wrap(body));
            declared.checksum().verify(declared.value());
            return;
        }
        throw new GranaryException(ErrorCode.INVALID_REQUEST,
                "Missing required header for this request: Content-MD5 or an x-amz-checksum-* header.");
    }

    private static byte[] md5(byte[] body) {
        try {
            return MessageDigest.getInstance("MD5").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    }
}
