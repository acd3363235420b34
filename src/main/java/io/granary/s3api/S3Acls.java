package io.granary.s3api;

import io.granary.bucket.Bucket;
import io.granary.bucket.BucketService;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectService;
import io.granary.security.Principal;
import io.granary.web.Requests;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * What S3 clients read about access, answered from the bucket's visibility: GetBucketAcl and
 * GetObjectAcl (the tenant has full control; a public bucket adds READ for AllUsers), and
 * GetBucketPolicy, which is always {@code NoSuchBucketPolicy}: Granary has no bucket policies.
 */
final class S3Acls {

    private static final String XSI = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

    private final BucketService buckets;
    private final ObjectService objects;

    S3Acls(BucketService buckets, ObjectService objects) {
        this.buckets = buckets;
        this.objects = objects;
    }

    Mono<ServerResponse> bucketAcl(ServerRequest request, String bucket) {
        return buckets.describe(Requests.principal(request), bucket).flatMap(found -> acl(request, found));
    }

    Mono<ServerResponse> objectAcl(ServerRequest request, S3Path path) {
        return objects.stat(Requests.principal(request), path.bucket(), path.key()).flatMap(found -> acl(request, found.bucket()));
    }

    Mono<ServerResponse> bucketPolicy(ServerRequest request, String bucket) {
        return buckets.describe(Requests.principal(request), bucket).then(Mono.error(() -> new GranaryException(
                ErrorCode.NO_BUCKET_POLICY, "The bucket policy does not exist: access follows the bucket's visibility.")));
    }

    private static Mono<ServerResponse> acl(ServerRequest request, Bucket bucket) {
        Principal principal = Requests.principal(request);
        S3Xml xml = S3Xml.document("AccessControlPolicy")
                .open("Owner").element("ID", principal.tenantId()).element("DisplayName", principal.tenantId()).close("Owner")
                .open("AccessControlList")
                .open("Grant").open("Grantee", XSI + " xsi:type=\"CanonicalUser\"").element("ID", principal.tenantId())
                .element("DisplayName", principal.tenantId()).close("Grantee").element("Permission", "FULL_CONTROL").close("Grant");
        if ("public".equals(bucket.visibility())) {
            xml.open("Grant").open("Grantee", XSI + " xsi:type=\"Group\"")
                    .element("URI", "http://acs.amazonaws.com/groups/global/AllUsers").close("Grantee")
                    .element("Permission", "READ").close("Grant");
        }
        return S3BucketOperations.xml(xml.close("AccessControlList").end("AccessControlPolicy"));
    }
}
