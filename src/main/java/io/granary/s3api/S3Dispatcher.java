package io.granary.s3api;

import io.granary.cors.CorsPolicy;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.web.AccessRecord;
import io.granary.web.Requests;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Which S3 operation a request is (by method, addressed bucket and key, and subresource), after
 * its signature was checked; an unsigned request goes to {@link S3PublicReads} instead, and a
 * browser form posted to a bucket, authorised by its own signed policy, to {@link S3PostObject}. Every
 * failure is rendered as S3 XML. An operation Granary does not offer is a
 * {@code 501 NotImplemented} naming it, never a 500 and never another operation's answer.
 */
final class S3Dispatcher {

    static final String REQUEST_ID = "x-amz-request-id";
    private static final String REQUEST_ID_ATTRIBUTE = S3Dispatcher.class.getName() + ".requestId";
    /** Query parameters that select another operation on the same path (S3's subresources). */
    private static final Set<String> SUBRESOURCES = Set.of("accelerate", "acl", "analytics", "attributes", "cors", "delete",
            "encryption", "intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location", "logging", "metrics",
            "notification", "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock",
            "replication", "requestPayment", "restore", "retention", "select", "tagging", "torrent", "uploadId", "uploads",
            "versioning", "versions", "website");

    private final S3Addressing addressing;
    private final S3Authenticator authenticator;
    private final S3PublicReads publicReads;
    private final S3BucketOperations buckets;
    private final S3ObjectOperations objects;
    private final S3ListOperations listings;
    private final S3BatchDelete batchDelete;
    private final S3CopyObject copies;
    private final S3Multipart multipart;
    private final S3MultipartListing uploads;
    private final S3PartCopy partCopies;
    private final S3Acls acls;
    private final S3ObjectTagging tagging;
    private final S3BucketCors cors;
    private final CorsPolicy corsPolicy;
    private final S3PostObject postObjects;

    S3Dispatcher(S3Addressing addressing, S3Authenticator authenticator, S3PublicReads publicReads, S3BucketOperations buckets,
                 S3ObjectOperations objects, S3ListOperations listings, S3BatchDelete batchDelete, S3CopyObject copies,
                 S3Multipart multipart, S3MultipartListing uploads, S3PartCopy partCopies, S3Acls acls, S3ObjectTagging tagging,
                 S3BucketCors cors, CorsPolicy corsPolicy, S3PostObject postObjects) {
        this.addressing = addressing;
        this.authenticator = authenticator;
        this.publicReads = publicReads;
        this.buckets = buckets;
        this.objects = objects;
        this.listings = listings;
        this.batchDelete = batchDelete;
        this.copies = copies;
        this.multipart = multipart;
        this.uploads = uploads;
        this.partCopies = partCopies;
        this.acls = acls;
        this.tagging = tagging;
        this.cors = cors;
        this.corsPolicy = corsPolicy;
        this.postObjects = postObjects;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        // The access log's line for this request names the same id and the caller once known.
        AccessRecord record = AccessRecord.of(request.exchange().getRequest());
        String requestId;
        if (record != null) {
            requestId = record.requestId();
            record.callerFrom(request.attributes());
        } else {
            requestId = String.format("%016X", ThreadLocalRandom.current().nextLong());
        }
        request.attributes().put(REQUEST_ID_ATTRIBUTE, requestId);
        request.exchange().getResponse().getHeaders().set(REQUEST_ID, requestId);
        return Mono.defer(() -> {
            S3Address address = addressing.address(request);
            if (address.bucket() != null && CorsPolicy.isPreflight(request.exchange().getRequest())) {
                // Browsers send no credential with a preflight: it is answered before authentication.
                Mono<Void> answered = S3PublicReads.forUnsignedRequest(request)
                        ? publicReads.preflight(request, address)
                        : corsPolicy.answerPreflight(request.exchange(), authenticator.presignedTenant(request), address.bucket());
                return answered
                        .then(Mono.defer(() -> ServerResponse.ok().build()));
            }
            if (S3PostObject.isPostObject(request, address)) {
                // Authorised by the form's signed policy, whatever the headers say; the tenant is the credential's.
                attribute(request, address.bucket(), false);
                corsPolicy.decorate(request.exchange(), address.bucket());
                return postObjects.post(request, address.bucket());
            }
            if (S3Authenticator.unsigned(request)) {
                return publicReads.read(request, address);
            }
            if (address.bucket() != null) {
                attribute(request, address.bucket(), address.rawRest().length() > 1 && subresource(request) == null);
                corsPolicy.decorate(request.exchange(), address.bucket());
            }
            return authenticator.authenticate(request).flatMap(principal -> {
                request.attributes().put(Requests.PRINCIPAL, principal);
                return route(request, address.path());
            });
        }).onErrorResume(error -> S3Errors.render(request, error));
    }

    /**
     * Names the bucket a request is for to its access record, so the usage history counts it
     * for that bucket; {@code objectRead}: a read of an object (GetObject's body is a download).
     */
    static void attribute(ServerRequest request, String bucket, boolean objectRead) {
        AccessRecord record = AccessRecord.of(request.exchange().getRequest());
        if (record != null) {
            record.bucket(bucket, objectRead);
        }
    }

    static String requestId(ServerRequest request) {
        return (String) request.attribute(REQUEST_ID_ATTRIBUTE).orElse("");
    }

    /** The S3 subresource the query names (it selects another operation on the same path), or {@code null}. */
    static String subresource(ServerRequest request) {
        return request.queryParams().keySet().stream().filter(SUBRESOURCES::contains).findFirst().orElse(null);
    }

    private Mono<ServerResponse> route(ServerRequest request, S3Path path) {
        HttpMethod method = request.method();
        String subresource = subresource(request);
        if (path.bucket() == null) {
            return method == HttpMethod.GET && subresource == null ? buckets.listBuckets(request)
                    : notImplemented(method, "the service", subresource);
        }
        String bucket = path.bucket();
        if (path.key() == null) {
            if (subresource == null) {
                if (method == HttpMethod.GET) {
                    return request.queryParam("list-type").map("2"::equals).orElse(false)
                            ? listings.listV2(request, bucket) : listings.listV1(request, bucket);
                }
                if (method == HttpMethod.PUT) {
                    return buckets.create(request, bucket);
                }
                if (method == HttpMethod.HEAD) {
                    return buckets.head(request, bucket);
                }
                if (method == HttpMethod.DELETE) {
                    return buckets.delete(request, bucket);
                }
            } else if (method == HttpMethod.POST && subresource.equals("delete")) {
                return batchDelete.delete(request, bucket);
            } else if (method == HttpMethod.GET && subresource.equals("uploads")) {
                return uploads.list(request, bucket);
            } else if (method == HttpMethod.GET && subresource.equals("versions")) {
                return listings.listVersions(request, bucket);
            } else if (method == HttpMethod.GET && subresource.equals("acl")) {
                return acls.bucketAcl(request, bucket);
            } else if (method == HttpMethod.GET && subresource.equals("policy")) {
                return acls.bucketPolicy(request, bucket);
            } else if (method == HttpMethod.GET && subresource.equals("location")) {
                return buckets.location(request, bucket);
            } else if (method == HttpMethod.GET && subresource.equals("versioning")) {
                return buckets.versioning(request, bucket);
            } else if (subresource.equals("cors") && method == HttpMethod.GET) {
                return cors.get(request, bucket);
            } else if (subresource.equals("cors") && method == HttpMethod.PUT) {
                return cors.put(request, bucket);
            } else if (subresource.equals("cors") && method == HttpMethod.DELETE) {
                return cors.delete(request, bucket);
            }
            return notImplemented(method, "a bucket", subresource);
        }
        String uploadId = request.queryParam("uploadId").orElse(null);
        if (uploadId != null) {
            if (method == HttpMethod.PUT && request.queryParam("partNumber").isPresent()) {
                return request.headers().firstHeader("x-amz-copy-source") == null ? multipart.uploadPart(request, path, uploadId)
                        : partCopies.copyPart(request, path, uploadId);
            }
            if (method == HttpMethod.POST) {
                return multipart.complete(request, path, uploadId);
            }
            if (method == HttpMethod.DELETE) {
                return multipart.abort(request, path, uploadId);
            }
            if (method == HttpMethod.GET) {
                return multipart.listParts(request, path, uploadId);
            }
        }
        if (method == HttpMethod.GET && "acl".equals(subresource)) {
            return acls.objectAcl(request, path);
        }
        if ("tagging".equals(subresource)) {
            if (method == HttpMethod.GET) {
                return tagging.get(request, path);
            }
            if (method == HttpMethod.PUT) {
                return tagging.put(request, path);
            }
            if (method == HttpMethod.DELETE) {
                return tagging.delete(request, path);
            }
        }
        if (method == HttpMethod.POST && "uploads".equals(subresource)) {
            return multipart.create(request, path);
        }
        if ((method == HttpMethod.GET || method == HttpMethod.HEAD) && (subresource == null || subresource.equals("partNumber"))) {
            return objects.get(request, path);
        }
        if (subresource == null) {
            if (method == HttpMethod.PUT) {
                return request.headers().firstHeader("x-amz-copy-source") == null ? objects.put(request, path)
                        : copies.copy(request, path);
            }
            if (method == HttpMethod.DELETE) {
                return objects.delete(request, path);
            }
        }
        return notImplemented(method, "an object", subresource);
    }

    private static Mono<ServerResponse> notImplemented(HttpMethod method, String target, String subresource) {
        return Mono.error(new GranaryException(ErrorCode.NOT_IMPLEMENTED, method.name() + " on " + target
                + (subresource == null ? "" : " with " + subresource) + " is not implemented by Granary's S3 API (yet); see docs/s3.md."));
    }
}
