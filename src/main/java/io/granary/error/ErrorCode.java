package io.granary.error;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/**
 * The closed set of failures Granary reports. Each carries the HTTP status and the stable,
 * machine-readable code clients may switch on; the code never changes once released.
 */
public enum ErrorCode {
    UNAUTHENTICATED(HttpStatus.UNAUTHORIZED, "unauthenticated", "A valid API key is required."),
    INVALID_TOKEN(HttpStatus.UNAUTHORIZED, "invalid_token", "The bearer token is malformed, forged, from an untrusted issuer or revoked."),
    TOKEN_EXPIRED(HttpStatus.UNAUTHORIZED, "token_expired", "The bearer token has expired; refresh it or log in again."),
    INVALID_CREDENTIALS(HttpStatus.UNAUTHORIZED, "invalid_credentials", "The user name or password is wrong, or the user is disabled."),
    FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden", "The credential does not allow this operation."),
    SIGNED_URL_INVALID(HttpStatus.FORBIDDEN, "signed_url_invalid", "The signed URL's token is malformed, forged or revoked."),
    SIGNED_URL_EXPIRED(HttpStatus.FORBIDDEN, "signed_url_expired", "The signed URL has expired."),
    SIGNED_URL_MISMATCH(HttpStatus.FORBIDDEN, "signed_url_mismatch", "The signed URL was issued for another object or operation."),
    NOT_FOUND(HttpStatus.NOT_FOUND, "not_found", "No such resource."),
    TENANT_NOT_FOUND(HttpStatus.NOT_FOUND, "tenant_not_found", "No such tenant."),
    TENANT_NOT_EMPTY(HttpStatus.CONFLICT, "tenant_not_empty", "The tenant still has buckets."),
    TENANT_EXISTS(HttpStatus.CONFLICT, "tenant_exists", "A tenant with this name exists."),
    USER_NOT_FOUND(HttpStatus.NOT_FOUND, "user_not_found", "No such user."),
    USER_EXISTS(HttpStatus.CONFLICT, "user_exists", "A user with this name exists."),
    USER_CHANGED(HttpStatus.CONFLICT, "user_changed", "The user was changed by another request meanwhile; read it and try again."),
    ISSUER_NOT_FOUND(HttpStatus.NOT_FOUND, "issuer_not_found", "No such trusted issuer."),
    ISSUER_EXISTS(HttpStatus.CONFLICT, "issuer_exists", "This issuer is already trusted."),
    KEY_NOT_FOUND(HttpStatus.NOT_FOUND, "key_not_found", "No such API key."),
    CREDENTIAL_NOT_FOUND(HttpStatus.NOT_FOUND, "credential_not_found", "No such S3 credential."),
    BUCKET_NOT_FOUND(HttpStatus.NOT_FOUND, "bucket_not_found", "No such bucket."),
    BUCKET_EXISTS(HttpStatus.CONFLICT, "bucket_exists", "A bucket with this name exists."),
    BUCKET_NOT_EMPTY(HttpStatus.CONFLICT, "bucket_not_empty", "The bucket is not empty."),
    BLOB_NOT_FOUND(HttpStatus.NOT_FOUND, "blob_not_found", "The stored bytes of the object are missing."),
    OBJECT_NOT_FOUND(HttpStatus.NOT_FOUND, "object_not_found", "No such object."),
    INVALID_REQUEST(HttpStatus.BAD_REQUEST, "invalid_request", "The request is not valid."),
    INVALID_JSON(HttpStatus.BAD_REQUEST, "invalid_json", "The request body is not valid JSON for this operation."),
    INVALID_NAME(HttpStatus.BAD_REQUEST, "invalid_name", "The name is not valid."),
    INVALID_BUCKET_NAME(HttpStatus.BAD_REQUEST, "invalid_bucket_name", "The bucket name breaks the naming rules."),
    INVALID_KEY(HttpStatus.BAD_REQUEST, "invalid_key", "The object key breaks the key rules."),
    INVALID_METADATA(HttpStatus.BAD_REQUEST, "invalid_metadata", "The user metadata is not valid."),
    INVALID_TAG(HttpStatus.BAD_REQUEST, "invalid_tag", "The object tags are not valid."),
    INVALID_RANGE(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "invalid_range", "The range cannot be satisfied."),
    INVALID_COPY_RANGE(HttpStatus.BAD_REQUEST, "invalid_copy_range", "The copy source range is malformed or not within the source object."),
    INVALID_CURSOR(HttpStatus.BAD_REQUEST, "invalid_cursor", "The listing cursor is not valid."),
    BAD_DIGEST(HttpStatus.BAD_REQUEST, "bad_digest", "The body does not match the declared checksum."),
    INVALID_DIGEST(HttpStatus.BAD_REQUEST, "invalid_digest", "The checksum header is malformed."),
    INCOMPLETE_BODY(HttpStatus.BAD_REQUEST, "incomplete_body", "The body length does not match Content-Length."),
    MALFORMED_BODY(HttpStatus.BAD_REQUEST, "malformed_body", "The request body's framing is broken; nothing of it was kept."),
    ENTITY_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "entity_too_large", "The object exceeds the bucket's maximum size."),
    QUOTA_EXCEEDED(HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded", "The tenant's or the bucket's quota would be exceeded."),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "The request's content type is not accepted here."),
    CONTENT_TYPE_MISMATCH(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch", "The bytes are not of the declared content type."),
    CONTENT_REJECTED(HttpStatus.UNPROCESSABLE_CONTENT, "content_rejected", "The upload scanner rejected the content."),
    INVALID_TRANSFORM(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_transform", "An image transform parameter is not valid."),
    NOT_AN_IMAGE(HttpStatus.UNPROCESSABLE_CONTENT, "not_an_image", "An image transform was asked of an object that is not an image."),
    IMAGE_FORMAT_UNSUPPORTED(HttpStatus.UNPROCESSABLE_CONTENT, "image_format_unsupported", "Granary cannot decode this image format, or cannot encode the format asked for."),
    IMAGE_TOO_LARGE(HttpStatus.UNPROCESSABLE_CONTENT, "image_too_large", "The image exceeds the pixel or byte limit of image transforms."),
    IMAGE_CORRUPT(HttpStatus.UNPROCESSABLE_CONTENT, "image_corrupt", "The image is truncated or corrupt."),
    UPLOAD_NOT_FOUND(HttpStatus.NOT_FOUND, "upload_not_found", "No such upload."),
    UPLOAD_EXPIRED(HttpStatus.GONE, "upload_expired", "The upload has expired."),
    UPLOAD_INCOMPLETE(HttpStatus.CONFLICT, "upload_incomplete", "The upload's bytes have not arrived yet."),
    UPLOAD_ALREADY_RECEIVED(HttpStatus.CONFLICT, "upload_already_received", "The upload's bytes have already been received."),
    UPLOAD_NOT_PENDING(HttpStatus.CONFLICT, "upload_not_pending", "The upload is not waiting to be completed."),
    UPLOAD_SIZE_MISMATCH(HttpStatus.BAD_REQUEST, "upload_size_mismatch", "The uploaded bytes are not of the declared size."),
    INVALID_PART(HttpStatus.BAD_REQUEST, "invalid_part", "A listed part was not uploaded or its ETag does not match."),
    INVALID_PART_ORDER(HttpStatus.BAD_REQUEST, "invalid_part_order", "The parts must be listed in ascending order of part number."),
    INVALID_PART_NUMBER(HttpStatus.BAD_REQUEST, "invalid_part_number", "Part numbers go from 1 to 10,000."),
    PART_NOT_SATISFIABLE(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "part_not_satisfiable", "The object has no part of that number."),
    PART_TOO_SMALL(HttpStatus.BAD_REQUEST, "part_too_small", "Every part but the last must have at least the minimum part size."),
    PART_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "part_too_large", "A part may have at most 5 GiB."),
    PART_SIZE_MISMATCH(HttpStatus.BAD_REQUEST, "part_size_mismatch", "Every part but the last must have the same size."),
    LENGTH_REQUIRED(HttpStatus.LENGTH_REQUIRED, "length_required", "The request must declare its Content-Length."),
    TUS_VERSION_UNSUPPORTED(HttpStatus.PRECONDITION_FAILED, "tus_version_unsupported", "The request must be sent with Tus-Resumable: 1.0.0."),
    UPLOAD_OFFSET_MISMATCH(HttpStatus.CONFLICT, "upload_offset_mismatch", "Upload-Offset is not the upload's current offset."),
    UPLOAD_LOCKED(HttpStatus.CONFLICT, "upload_locked", "Another request is writing to this upload; retry once it has ended."),
    UPLOAD_LENGTH_EXCEEDED(HttpStatus.CONTENT_TOO_LARGE, "upload_length_exceeded", "The bytes would exceed the upload's length or the server's maximum."),
    INVALID_PATCH_CONTENT_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_patch_content_type", "A PATCH must be sent as application/offset+octet-stream."),
    CHECKSUM_ALGORITHM_UNSUPPORTED(HttpStatus.BAD_REQUEST, "checksum_algorithm_unsupported", "The checksum algorithm is not supported (sha1, sha256)."),
    CHECKSUM_MISMATCH(HttpStatusCode.valueOf(460), "checksum_mismatch", "The body does not match Upload-Checksum; its bytes were discarded."),
    PART_URLS_UNSUPPORTED(HttpStatus.BAD_REQUEST, "part_urls_unsupported", "The blob store has no presigned part URLs; upload parts through Granary."),
    RECOUNT_RUNNING(HttpStatus.CONFLICT, "recount_running", "A usage recount is already running; try again once it has finished."),
    SIGNATURE_MISMATCH(HttpStatus.FORBIDDEN, "signature_mismatch", "The request's signature does not match the one computed with the credential's secret."),
    ACCESS_KEY_UNKNOWN(HttpStatus.FORBIDDEN, "access_key_unknown", "No S3 credential has this access key id (or it expired, or was revoked)."),
    REQUEST_TIME_SKEWED(HttpStatus.FORBIDDEN, "request_time_skewed", "The request's time is more than 15 minutes from the server's."),
    AUTHORIZATION_MALFORMED(HttpStatus.BAD_REQUEST, "authorization_malformed", "The request's S3 authorization is malformed or incomplete."),
    CONTENT_SHA256_MISMATCH(HttpStatus.BAD_REQUEST, "content_sha256_mismatch", "The body's SHA-256 does not match x-amz-content-sha256; nothing was stored."),
    NO_BUCKET_POLICY(HttpStatus.NOT_FOUND, "no_bucket_policy", "Buckets have no policies: access follows their visibility."),
    NO_CORS_CONFIGURATION(HttpStatus.NOT_FOUND, "no_cors_configuration", "The bucket has no CORS rules."),
    CORS_FORBIDDEN(HttpStatus.FORBIDDEN, "cors_forbidden", "No CORS rule of the bucket allows this origin, method and headers."),
    ORIGIN_MISMATCH(HttpStatus.FORBIDDEN, "origin_mismatch", "The request's Origin is not Granary's own; browser sessions work from Granary's origin only."),
    MALFORMED_XML(HttpStatus.BAD_REQUEST, "malformed_xml", "The XML body is not well-formed or not the document expected."),
    MALFORMED_POST_REQUEST(HttpStatus.BAD_REQUEST, "malformed_post_request", "The body is not well-formed multipart/form-data."),
    INVALID_POST_FORM(HttpStatus.BAD_REQUEST, "invalid_post_form", "The POST form lacks a required field, has no file, or has a field that is not valid."),
    INVALID_POLICY_DOCUMENT(HttpStatus.BAD_REQUEST, "invalid_policy_document", "The POST policy is not base64 of a valid policy document."),
    POLICY_CONDITION_FAILED(HttpStatus.FORBIDDEN, "policy_condition_failed", "The POST form does not satisfy its policy, or the policy has expired."),
    ENTITY_TOO_SMALL(HttpStatus.BAD_REQUEST, "entity_too_small", "The upload is smaller than its policy's content-length-range allows."),
    NOT_IMPLEMENTED(HttpStatus.NOT_IMPLEMENTED, "not_implemented", "The operation is not implemented."),
    PRECONDITION_FAILED(HttpStatus.PRECONDITION_FAILED, "precondition_failed", "A precondition did not hold."),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "The method is not allowed here."),
    RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "rate_limited", "Too many requests; retry after the given delay."),
    RENDERER_BUSY(HttpStatus.SERVICE_UNAVAILABLE, "renderer_busy", "Every image worker is busy; retry after the given delay."),
    RENDER_TIMEOUT(HttpStatus.SERVICE_UNAVAILABLE, "render_timeout", "The image transform took too long and was abandoned."),
    ISSUER_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "issuer_unavailable", "The token's issuer could not be reached to check its keys."),
    METADATA_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "metadata_unavailable", "The metadata database is unavailable."),
    SCAN_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "scan_unavailable", "The upload scanner did not answer in time."),
    STORE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "store_unavailable", "The blob store is unavailable."),
    STORE_ERROR(HttpStatus.BAD_GATEWAY, "store_error", "The blob store failed the request."),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "An unexpected error occurred.");

    private final HttpStatusCode status;
    private final String code;
    private final String title;

    ErrorCode(HttpStatusCode status, String code, String title) {
        this.status = status;
        this.code = code;
        this.title = title;
    }

    public HttpStatusCode status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    /** The error code the S3 API answers with for this failure (AWS's names where AWS has one). */
    public String s3Code() {
        return switch (this) {
            case UNAUTHENTICATED, INVALID_TOKEN, TOKEN_EXPIRED, INVALID_CREDENTIALS, FORBIDDEN, SIGNED_URL_INVALID,
                 SIGNED_URL_MISMATCH, SIGNED_URL_EXPIRED, POLICY_CONDITION_FAILED, ORIGIN_MISMATCH -> "AccessDenied";
            case SIGNATURE_MISMATCH -> "SignatureDoesNotMatch";
            case ACCESS_KEY_UNKNOWN -> "InvalidAccessKeyId";
            case REQUEST_TIME_SKEWED -> "RequestTimeTooSkewed";
            case AUTHORIZATION_MALFORMED -> "AuthorizationHeaderMalformed";
            case CONTENT_SHA256_MISMATCH -> "XAmzContentSHA256Mismatch";
            case NOT_IMPLEMENTED -> "NotImplemented";
            case MALFORMED_XML -> "MalformedXML";
            case MALFORMED_POST_REQUEST -> "MalformedPOSTRequest";
            case INVALID_POLICY_DOCUMENT -> "InvalidPolicyDocument";
            case ENTITY_TOO_SMALL -> "EntityTooSmall";
            case NO_BUCKET_POLICY -> "NoSuchBucketPolicy";
            case NO_CORS_CONFIGURATION -> "NoSuchCORSConfiguration";
            case CORS_FORBIDDEN -> "AccessForbidden";
            case TENANT_NOT_FOUND, BUCKET_NOT_FOUND -> "NoSuchBucket";
            case BUCKET_EXISTS -> "BucketAlreadyOwnedByYou";
            case BUCKET_NOT_EMPTY -> "BucketNotEmpty";
            case OBJECT_NOT_FOUND, BLOB_NOT_FOUND -> "NoSuchKey";
            case UPLOAD_NOT_FOUND, UPLOAD_EXPIRED -> "NoSuchUpload";
            case INVALID_BUCKET_NAME -> "InvalidBucketName";
            case INVALID_KEY, INVALID_COPY_RANGE, INVALID_POST_FORM -> "InvalidArgument";
            case INVALID_RANGE -> "InvalidRange";
            case PART_NOT_SATISFIABLE -> "InvalidPartNumber";
            case INVALID_TAG -> "InvalidTag";
            case BAD_DIGEST -> "BadDigest";
            case INVALID_DIGEST -> "InvalidDigest";
            case INCOMPLETE_BODY -> "IncompleteBody";
            case ENTITY_TOO_LARGE -> "EntityTooLarge";
            case QUOTA_EXCEEDED -> "QuotaExceeded";
            case LENGTH_REQUIRED -> "MissingContentLength";
            case INVALID_PART -> "InvalidPart";
            case INVALID_PART_ORDER -> "InvalidPartOrder";
            case PART_TOO_SMALL -> "EntityTooSmall";
            case PRECONDITION_FAILED -> "PreconditionFailed";
            case METHOD_NOT_ALLOWED -> "MethodNotAllowed";
            case RATE_LIMITED, RENDERER_BUSY -> "SlowDown";
            case INVALID_TRANSFORM, NOT_AN_IMAGE, IMAGE_FORMAT_UNSUPPORTED, IMAGE_TOO_LARGE, IMAGE_CORRUPT -> "InvalidArgument";
            case METADATA_UNAVAILABLE, STORE_UNAVAILABLE, SCAN_UNAVAILABLE, ISSUER_UNAVAILABLE, RENDER_TIMEOUT -> "ServiceUnavailable";
            case INTERNAL, STORE_ERROR -> "InternalError";
            default -> "InvalidRequest";
        };
    }

    /** The code whose wire name is {@code code}, or {@code null}. */
    public static ErrorCode ofCode(String code) {
        for (ErrorCode candidate : values()) {
            if (candidate.code.equals(code)) {
                return candidate;
            }
        }
        return null;
    }

    /** The status the S3 API answers with: this code's, except where S3 answers another one. */
    public HttpStatusCode s3Status() {
        return switch (this) {
            case UNAUTHENTICATED, INVALID_TOKEN, TOKEN_EXPIRED, INVALID_CREDENTIALS -> HttpStatus.FORBIDDEN;
            case ENTITY_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, CONTENT_TYPE_MISMATCH, CONTENT_REJECTED -> HttpStatus.BAD_REQUEST;
            case QUOTA_EXCEEDED -> HttpStatus.FORBIDDEN;
            case RATE_LIMITED -> HttpStatus.SERVICE_UNAVAILABLE;
            default -> status;
        };
    }
}
