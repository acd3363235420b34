package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The S3 API's one error renderer: every failure becomes S3's {@code <Error>} document with the
 * code and status {@link ErrorCode} names for S3, the resource and the request id. Anything that
 * is not a {@link GranaryException} is a bug: logged, and answered as {@code InternalError}.
 */
final class S3Errors {

    private static final Logger log = LoggerFactory.getLogger(S3Errors.class);

    private S3Errors() {
    }

    static Mono<ServerResponse> render(ServerRequest request, Throwable error) {
        GranaryException failure;
        if (error instanceof GranaryException known) {
            failure = known;
        } else {
            log.error("S3 {} {} failed", request.method(), request.path(), error);
            failure = new GranaryException(ErrorCode.INTERNAL, "An internal error occurred; the request id names it in the log.");
        }
        ErrorCode code = failure.code();
        ServerResponse.BodyBuilder response = ServerResponse.status(code.s3Status());
        failure.responseHeaders().forEach(response::header);
        if (request.method() == HttpMethod.HEAD) {
            return response.build(); // a HEAD answer has no body; the status says it all
        }
        S3Xml xml = S3Xml.plain("Error")
                .element("Code", code.s3Code())
                .element("Message", failure.getMessage() == null ? code.title() : failure.getMessage())
                .element("Resource", request.path())
                .element("RequestId", S3Dispatcher.requestId(request));
        if (failure instanceof SignatureMismatch mismatch) {
            xml.element("AWSAccessKeyId", mismatch.accessKeyId)
                    .element("SignatureProvided", mismatch.signatureProvided)
                    .element("StringToSign", mismatch.stringToSign)
                    .element("CanonicalRequest", mismatch.canonicalRequest);
        }
        return response.contentType(MediaType.APPLICATION_XML).bodyValue(xml.end("Error"));
    }
}
