package io.granary.error;

import org.springframework.http.HttpStatus;

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
    INVALID_RANGE(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "invalid_range", "The range cannot be satisfied."),
    INVALID_CURSOR(HttpStatus.BAD_REQUEST, "invalid_cursor", "The listing cursor is not valid."),
    BAD_DIGEST(HttpStatus.BAD_REQUEST, "bad_digest", "The body does not match the declared checksum."),
    INVALID_DIGEST(HttpStatus.BAD_REQUEST, "invalid_digest", "The checksum header is malformed."),
    INCOMPLETE_BODY(HttpStatus.BAD_REQUEST, "incomplete_body", "The body length does not match Content-Length."),
    ENTITY_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "entity_too_large", "The object exceeds the bucket's maximum size."),
    QUOTA_EXCEEDED(HttpStatus.CONTENT_TOO_LARGE, "quota_exceeded", "The tenant's or the bucket's quota would be exceeded."),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "The bucket does not accept this content type."),
    CONTENT_TYPE_MISMATCH(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content_type_mismatch", "The bytes are not of the declared content type."),
    CONTENT_REJECTED(HttpStatus.UNPROCESSABLE_CONTENT, "content_rejected", "The upload scanner rejected the content."),
    UPLOAD_NOT_FOUND(HttpStatus.NOT_FOUND, "upload_not_found", "No such upload."),
    UPLOAD_EXPIRED(HttpStatus.GONE, "upload_expired", "The upload has expired."),
    UPLOAD_INCOMPLETE(HttpStatus.CONFLICT, "upload_incomplete", "The upload's bytes have not arrived yet."),
    UPLOAD_ALREADY_RECEIVED(HttpStatus.CONFLICT, "upload_already_received", "The upload's bytes have already been received."),
    UPLOAD_NOT_PENDING(HttpStatus.CONFLICT, "upload_not_pending", "The upload is not waiting to be completed."),
    UPLOAD_SIZE_MISMATCH(HttpStatus.BAD_REQUEST, "upload_size_mismatch", "The uploaded bytes are not of the declared size."),
    PRECONDITION_FAILED(HttpStatus.PRECONDITION_FAILED, "precondition_failed", "A precondition did not hold."),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "The method is not allowed here."),
    RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "rate_limited", "Too many requests; retry after the given delay."),
    ISSUER_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "issuer_unavailable", "The token's issuer could not be reached to check its keys."),
    METADATA_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "metadata_unavailable", "The metadata database is unavailable."),
    SCAN_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "scan_unavailable", "The upload scanner did not answer in time."),
    STORE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "store_unavailable", "The blob store is unavailable."),
    STORE_ERROR(HttpStatus.BAD_GATEWAY, "store_error", "The blob store failed the request."),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "An unexpected error occurred.");

    private final HttpStatus status;
    private final String code;
    private final String title;

    ErrorCode(HttpStatus status, String code, String title) {
        this.status = status;
        this.code = code;
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }
}
