package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ExpectedDigests;
import io.granary.object.ObjectService;
import io.granary.object.PutRequest;
import io.granary.object.StoredObject;
import io.granary.object.WriteCondition;
import io.granary.security.Principal;
import io.granary.web.Requests;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * POST Object: a browser form ({@code multipart/form-data}) posted to a bucket uploads its
 * {@code file} field, authorised by the signed POST policy the form carries instead of an
 * {@code Authorization} header ({@link S3Authenticator#authenticatePolicy}, {@link PostPolicy}).
 * The form is read as it streams: the fields before the file (at most 20 KiB, {@link PostForm}),
 * then, once the signature and every condition have been checked, the file itself flows into the
 * same object service as PutObject (permissions, quotas, content rules, metadata, audit), bounded
 * as it streams by the policy's {@code content-length-range}. Fields after the file are ignored.
 * Success is {@code success_action_redirect} (303), else {@code success_action_status} (200, 201
 * with S3's {@code <PostResponse>}, 204 by default); any failure stores nothing. The answer,
 * success or refusal, comes once the form's body has been read to its end (what is not stored is
 * released as it arrives): stopping Spring's multipart reading mid-part loses buffers.
 */
final class S3PostObject {

    private static final ResolvableType PART_EVENT = ResolvableType.forClass(PartEvent.class);

    private final S3Authenticator authenticator;
    private final ObjectService objects;
    private final Clock clock;
    private final PartEventHttpMessageReader reader = new PartEventHttpMessageReader();

    S3PostObject(S3Authenticator authenticator, ObjectService objects, Clock clock) {
        this.authenticator = authenticator;
        this.objects = objects;
        this.clock = clock;
        // A single field larger than all of them may be is refused as it is read, not joined first.
        reader.setMaxInMemorySize(PostForm.MAX_FIELD_BYTES);
    }

    /** Whether the request is a POST Object: a form posted to a bucket, with no subresource. */
    static boolean isPostObject(ServerRequest request, S3Address address) {
        return request.method() == HttpMethod.POST && address.bucket() != null && address.path().key() == null
                && S3Dispatcher.subresource(request) == null
                && request.headers().contentType().map(MediaType.MULTIPART_FORM_DATA::isCompatibleWith).orElse(false);
    }

    Mono<ServerResponse> post(ServerRequest request, String bucket) {
        PostForm form = new PostForm();
        AtomicReference<Object> outcome = new AtomicReference<>(); // the answer, or the first failure
        // The body as Requests.body hands it out: a connection that fails mid-form is the client's incomplete body.
        ServerHttpRequest body = new ServerHttpRequestDecorator(request.exchange().getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                return Requests.body(request);
            }
        };
        return reader.read(PART_EVENT, body, Map.of())
                .windowUntil(PartEvent::isLast)
                .concatMap(part -> part.switchOnFirst((first, rest) -> {
                    if (!first.hasValue() || outcome.get() != null) {
                        // The end, an upstream failure (passed on), or a part after the file or a refusal: read and dropped.
                        return rest.doOnNext(PostFilePart::release).then(Mono.<ServerResponse>empty());
                    }
                    PartEvent event = first.get();
                    String name = event.headers().getContentDisposition().getName();
                    if ("file".equalsIgnoreCase(name) && !(event instanceof FormPartEvent)) {
                        String filename = event instanceof FilePartEvent file ? file.filename() : null;
                        PostFilePart file = new PostFilePart();
                        rest.subscribe(file);
                        return upload(request, bucket, form, filename, file.body())
                                .flatMap(answer -> file.ended().thenReturn(answer))
                                .onErrorResume(refusal -> {
                                    file.drain();
                                    return file.ended().then(Mono.error(refusal));
                                });
                    }
                    if (event instanceof FormPartEvent field && name != null) {
                        form.add(name, field.value());
                        return rest.then(Mono.<ServerResponse>empty());
                    }
                    // The part is read to its end and dropped first: a window cancelled mid-part loses buffers.
                    return rest.doOnNext(PostFilePart::release).then(Mono.<ServerResponse>error(new GranaryException(
                            ErrorCode.INVALID_POST_FORM, "file".equalsIgnoreCase(name)
                                    ? "The file field must be sent as a file (with a filename in its Content-Disposition)."
                                    : "Every form field but the file must be plain text with a name; '" + name + "' is not.")));
                }).doOnNext(answer -> outcome.compareAndSet(null, answer))
                        // A refusal is kept for the end, not passed on: passing it on would cancel Spring's multipart
                        // parser mid-part, and the parser drops (without releasing) the buffers it has queued then.
                        .onErrorResume(GranaryException.class, refusal -> {
                            outcome.compareAndSet(null, refusal);
                            return Mono.empty();
                        }))
                .doOnDiscard(PartEvent.class, PostFilePart::release)
                .onErrorMap(error -> error instanceof DataBufferLimitException || error instanceof DecodingException,
                        S3PostObject::translate)
                .then(Mono.defer(() -> {
                    Object settled = outcome.get();
                    if (settled instanceof ServerResponse answer) {
                        return Mono.just(answer);
                    }
                    return Mono.error(settled instanceof GranaryException refusal ? refusal
                            : new GranaryException(ErrorCode.INVALID_POST_FORM,
                                    "POST requires exactly one file upload per request: the form has no field named 'file'."));
                }));
    }

    private Mono<ServerResponse> upload(ServerRequest request, String bucket, PostForm form, String filename,
                                        Flux<DataBuffer> file) {
        return Mono.defer(() -> {
            if (form.get("x-amz-algorithm") == null && (form.get("awsaccesskeyid") != null || form.get("signature") != null)) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "Signature Version 2 is not supported; sign the POST"
                        + " policy with AWS4-HMAC-SHA256 (boto3: Config(signature_version='s3v4')).");
            }
            String policy = form.required("policy");
            if (!SigV4.ALGORITHM.equals(form.required("x-amz-algorithm"))) {
                throw new GranaryException(ErrorCode.INVALID_POST_FORM, "x-amz-algorithm must be " + SigV4.ALGORITHM + ".");
            }
            return authenticator.authenticatePolicy(form.required("x-amz-credential"), form.required("x-amz-date"), policy,
                    form.required("x-amz-signature"));
        }).flatMap(principal -> {
            // From here on, error answers too carry the bucket's CORS headers (they need the tenant).
            request.attributes().put(Requests.PRINCIPAL, principal);
            PostPolicy policy = PostPolicy.parse(form.get("policy"));
            policy.check(form.fields(), bucket, clock.instant());
            form.requireAcl();
            String key = form.key(filename);
            S3Payload payload = new S3Payload(null, PostLengthLimit.enforce(file, policy.lengthRange()), null,
                    S3Payload.declared(form.checksumHeaders()), null);
            // A form's tagging field (an XML document in S3) is accepted and ignored: no tags.
            PutRequest put = new PutRequest(form.get("content-type"), null, form.get("cache-control"), form.metadata(),
                    null, ExpectedDigests.NONE, new WriteCondition.None(), payload::verifiedChecksum);
            return objects.put(principal, bucket, key, put, payload.verifiedBody(false))
                    .flatMap(stored -> respond(request, form, bucket, stored));
        });
    }

    private static Mono<ServerResponse> respond(ServerRequest request, PostForm form, String bucket, StoredObject stored) {
        URI redirect = form.redirect();
        if (redirect != null) {
            URI target = UriComponentsBuilder.fromUri(redirect)
                    .queryParam("bucket", SdkHttpUtils.urlEncode(bucket))
                    .queryParam("key", SdkHttpUtils.urlEncode(stored.key()))
                    .queryParam("etag", SdkHttpUtils.urlEncode(stored.quotedEtag()))
                    .build(true).toUri();
            return ServerResponse.status(HttpStatus.SEE_OTHER).location(target).eTag(stored.quotedEtag()).build();
        }
        String location = location(request, stored.key());
        int status = form.successStatus();
        ServerResponse.BodyBuilder answer = ServerResponse.status(status).eTag(stored.quotedEtag())
                .header(HttpHeaders.LOCATION, location);
        if (status != 201) {
            return answer.build();
        }
        return answer.contentType(MediaType.APPLICATION_XML).bodyValue(S3Xml.plain("PostResponse")
                .element("Location", location)
                .element("Bucket", bucket)
                .element("Key", stored.key())
                .element("ETag", stored.quotedEtag())
                .end("PostResponse"));
    }

    /** The object's URL, addressed as the form was: {@code /bucket/key} in path style, {@code /key} on a bucket's host. */
    private static String location(ServerRequest request, String key) {
        URI uri = request.uri();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return uri.getScheme() + "://" + uri.getRawAuthority() + path + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key);
    }

    private static GranaryException translate(Throwable error) {
        if (error instanceof DataBufferLimitException) {
            return new GranaryException(ErrorCode.INVALID_POST_FORM, "A form field takes more than " + PostForm.MAX_FIELD_BYTES
                    + " bytes (20 KiB), the most S3 allows for the fields; the file field must be sent as a file, with a filename.");
        }
        return new GranaryException(ErrorCode.MALFORMED_POST_REQUEST,
                "The body of your POST request is not well-formed multipart/form-data: " + error.getMessage());
    }
}
