package io.granary.s3api;

import io.granary.bucket.Bucket;
import io.granary.bucket.BucketService;
import io.granary.bucket.BucketSettings;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Principal;
import io.granary.web.Requests;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation and
 * GetBucketVersioning, on the bucket service the REST API uses. Bucket names resolve inside the
 * tenant of the signing credential.
 */
final class S3BucketOperations {

    /** The largest CreateBucketConfiguration read; it is small, and its content is not used. */
    private static final int MAX_CONFIGURATION = 64 * 1024;

    private final BucketService buckets;
    private final String region;

    S3BucketOperations(BucketService buckets, String region) {
        this.buckets = buckets;
        this.region = region;
    }

    Mono<ServerResponse> listBuckets(ServerRequest request) {
        Principal principal = Requests.principal(request);
        return buckets.list(principal).collectList().flatMap(all -> {
            S3Xml xml = S3Xml.document("ListAllMyBucketsResult")
                    .open("Owner").element("ID", principal.tenantId()).element("DisplayName", principal.tenantId()).close("Owner")
                    .open("Buckets");
            for (Bucket bucket : all) {
                xml.open("Bucket").element("Name", bucket.name())
                        .element("CreationDate", S3ListOperations.TIMESTAMP.format(bucket.createdAt())).close("Bucket");
            }
            return xml(xml.close("Buckets").end("ListAllMyBucketsResult"));
        });
    }

    /**
     * The canned ACLs that map onto a bucket's visibility: {@code private} and
     * {@code public-read}; the location constraint in the body is accepted and not used.
     */
    Mono<ServerResponse> create(ServerRequest request, String name) {
        String acl = request.headers().firstHeader("x-amz-acl");
        String visibility = switch (acl == null ? "private" : acl) {
            case "private" -> "private";
            case "public-read" -> "public";
            default -> throw new GranaryException(ErrorCode.NOT_IMPLEMENTED,
                    "The canned ACL '" + acl + "' is not supported; use private or public-read.");
        };
        // Read (and bounded) only so that the connection can be reused: the location constraint is not used.
        return S3XmlReader.read(request, MAX_CONFIGURATION, "CreateBucketConfiguration")
                .then(Mono.defer(() -> buckets.create(Requests.principal(request), name,
                        new BucketSettings(visibility, null, null, null, null, false, null, null))))
                .flatMap(bucket -> ServerResponse.ok().header("Location", "/" + bucket.name()).build());
    }

    Mono<ServerResponse> head(ServerRequest request, String name) {
        return buckets.describe(Requests.principal(request), name)
                .flatMap(bucket -> ServerResponse.ok().header("x-amz-bucket-region", region).build());
    }

    Mono<ServerResponse> delete(ServerRequest request, String name) {
        return buckets.delete(Requests.principal(request), name, false).then(ServerResponse.noContent().build());
    }

    /** S3 answers an empty constraint for us-east-1, the region's name for any other. */
    Mono<ServerResponse> location(ServerRequest request, String name) {
        String constraint = region.equals("us-east-1") ? "" : region;
        return buckets.describe(Requests.principal(request), name).flatMap(bucket -> xml(S3Xml.document("LocationConstraint")
                .text(constraint).end("LocationConstraint")));
    }

    /** Versioning has never been enabled on any bucket: an empty configuration. */
    Mono<ServerResponse> versioning(ServerRequest request, String name) {
        return buckets.describe(Requests.principal(request), name)
                .flatMap(bucket -> xml(S3Xml.document("VersioningConfiguration").end("VersioningConfiguration")));
    }

    static Mono<ServerResponse> xml(String body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_XML).bodyValue(body);
    }
}
