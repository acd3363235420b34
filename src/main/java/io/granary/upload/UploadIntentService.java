package io.granary.upload;

import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.bucket.Bucket;
import io.granary.bucket.BucketService;
import io.granary.common.Ids;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.DirectUpload;
import io.granary.object.DirectUploadService;
import io.granary.object.ObjectRepository;
import io.granary.object.StoredObject;
import io.granary.security.Permission;
import io.granary.security.Principal;
import io.granary.security.signed.SignedUrlService;
import io.granary.security.signed.UploadGrant;
import io.granary.storage.PresignedPut;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Upload intents: direct-to-store uploads in three steps, the same for every store. Creating
 * one applies the upload rules to what the client declares and hands out a URL for the bytes
 * (a presigned store URL, or Granary's own upload URL where the store has none); the bytes
 * then arrive without any object becoming visible; completing checks them and publishes them
 * through the ordinary write protocol, or rejects and deletes them. The object rules live in
 * {@link DirectUploadService}; this class keeps the intents' states and the rights to act on
 * them.
 *
 * <p>Completing twice is idempotent: while the version it made is still the current one, a
 * second completion answers with it again; once replaced or deleted, with 409
 * {@code upload_not_pending}.
 */
@Service
public class UploadIntentService {

    private static final Logger log = LoggerFactory.getLogger(UploadIntentService.class);

    private final BucketService buckets;
    private final DirectUploadService uploads;
    private final ObjectRepository objects;
    private final UploadIntentRepository intents;
    private final SignedUrlService signedUrls;
    private final AuditLog audit;
    private final Duration ttl;

    UploadIntentService(BucketService buckets, DirectUploadService uploads, ObjectRepository objects,
                        UploadIntentRepository intents, SignedUrlService signedUrls, AuditLog audit,
                        GranaryProperties properties) {
        this.buckets = buckets;
        this.uploads = uploads;
        this.objects = objects;
        this.intents = intents;
        this.signedUrls = signedUrls;
        this.audit = audit;
        this.ttl = properties.uploads().ttl();
    }

    /** What a client declares it will upload. */
    public record Request(String key, Long size, String contentType, String cacheControl, Map<String, String> metadata) {
    }

    /**
     * A new intent and where to send its bytes: {@code put}'s URL is absolute for a store URL,
     * and relative to Granary's base URL for Granary's own upload URL.
     */
    public record Created(UploadIntent intent, PresignedPut put) {
    }

    /**
     * Creates an intent, with the rules of an upload of that object: a tenant's key or user with
     * {@code write} on the bucket (intents hand out a URL, like signed URLs), the key, type and
     * size the bucket accepts and its and the tenant's quotas have room for.
     */
    public Mono<Created> create(Principal principal, String bucketName, Request request) {
        if (!(principal instanceof Principal.Member issuer)) {
            return Mono.error(new GranaryException(ErrorCode.FORBIDDEN, "Uploads are created with a tenant's key or user token."));
        }
        return buckets.resolve(principal, bucketName, Permission.WRITE)
                .flatMap(bucket -> uploads.plan(bucket, request.key(), request.size(), request.contentType(),
                        request.cacheControl(), request.metadata(), null))
                .flatMap(plan -> {
                    String id = Ids.newId();
                    Instant now = now();
                    Instant expiresAt = now.plus(ttl).truncatedTo(ChronoUnit.SECONDS);
                    DirectUpload staged = plan.stagedElsewhere();
                    return uploads.presign(staged, Duration.between(now, expiresAt))
                            .map(put -> new Created(intent(id, staged, issuer, now, expiresAt), put))
                            // No store URLs (local disk): Granary receives the bytes itself, as the
                            // store would, straight into the version's own location.
                            .switchIfEmpty(Mono.defer(() -> signedUrls.signUpload(issuer, plan.bucketId(), plan.key(), id,
                                            plan.contentType(), plan.size(), expiresAt)
                                    .map(token -> new Created(intent(id, plan, issuer, now, expiresAt), new PresignedPut(
                                            URI.create("/v1/uploads/" + id + "?token=" + token),
                                            Map.of("Content-Type", plan.contentType(),
                                                    "Content-Length", Long.toString(plan.size())))))));
                })
                .flatMap(created -> intents.insert(created.intent()).thenReturn(created))
                .flatMap(created -> audit.record(principal, principal.tenantId(), AuditEventType.UPLOAD_CREATED,
                        "object:" + bucketName + "/" + created.intent().upload().key(),
                        UploadAudit.details(created.intent().id(), UploadAudit.INTENT, created.intent().upload().size(),
                                created.intent().expiresAt()))
                        .thenReturn(created));
    }

    private static UploadIntent intent(String id, DirectUpload upload, Principal.Member issuer, Instant now,
                                       Instant expiresAt) {
        return new UploadIntent(id, upload.tenantId(), upload.bucketId(), upload, issuer.actor(), now, expiresAt,
                UploadIntent.State.PENDING, now, null);
    }

    /** An intent of the named bucket, for a caller who may write there. */
    public Mono<UploadIntent> describe(Principal principal, String bucketName, String uploadId) {
        return resolve(principal, bucketName).flatMap(bucket -> find(bucket, uploadId));
    }

    /**
     * Takes the bytes sent to Granary's upload URL of an open intent (the store has no upload
     * URLs): {@code grant} is the verified token, which names the intent. Every buffer of
     * {@code body} is released.
     */
    public Mono<Void> receive(UploadGrant grant, String contentType, Long contentLength, Flux<DataBuffer> body) {
        return (Ids.isId(grant.uploadId()) ? intents.find(grant.uploadId()) : Mono.<UploadIntent>empty())
                // Bound to all of it by the token's signature; checked again all the same.
                .filter(intent -> intent.tenantId().equals(grant.tenantId()) && intent.bucketId().equals(grant.bucketId())
                        && intent.upload().key().equals(grant.key()))
                .switchIfEmpty(Mono.error(UploadIntentService::notFound))
                .flatMap(intent -> {
                    requireOpen(intent, now());
                    return uploads.receive(intent.upload(), contentType, contentLength, body);
                });
    }

    /**
     * Checks the intent's bytes and makes them the current version of its key, for a caller who
     * may write to the named bucket; see {@link DirectUploadService#complete} for the checks.
     * A rejection deletes the bytes and ends the intent ({@code rejected}); a failure that is not
     * the bytes' fault leaves it pending, to be completed again before it expires.
     */
    public Mono<StoredObject> complete(Principal principal, String bucketName, String uploadId) {
        return resolve(principal, bucketName).flatMap(bucket -> find(bucket, uploadId)
                .flatMap(intent -> settle(bucket, intent, true)));
    }

    private Mono<StoredObject> settle(Bucket bucket, UploadIntent intent, boolean mayRetry) {
        Instant now = now();
        return switch (intent.visibleState(now)) {
            case COMPLETED -> objects.find(bucket, intent.upload().key())
                    .filter(current -> current.versionId().equals(intent.upload().versionId()))
                    .switchIfEmpty(Mono.error(() -> notPending(
                            "was completed earlier; its object has been replaced or deleted since")));
            case REJECTED -> Mono.error(notPending("was rejected (" + intent.rejection() + "); create a new upload"));
            case COMPLETING -> Mono.error(notPending("is being completed by another request; retry shortly"));
            case EXPIRED -> Mono.error(expired(intent));
            case PENDING -> intents.transition(intent.id(), UploadIntent.State.PENDING, UploadIntent.State.COMPLETING,
                            now, now, null)
                    .flatMap(claimed -> finish(bucket, claimed))
                    // Another request changed it first: judge again by what it is now.
                    .switchIfEmpty(Mono.defer(() -> mayRetry
                            ? intents.find(intent.id()).switchIfEmpty(Mono.error(UploadIntentService::notFound))
                                    .flatMap(current -> settle(bucket, current, false))
                            : Mono.error(notPending("changed while being completed; retry"))));
        };
    }

    /** Completion proper, by the one request that claimed the intent; runs to its end once started. */
    private Mono<StoredObject> finish(Bucket bucket, UploadIntent claimed) {
        return Mono.defer(() -> Mono.fromFuture(uploads.complete(bucket, claimed.upload())
                .flatMap(stored -> intents.transition(claimed.id(), UploadIntent.State.COMPLETING,
                                UploadIntent.State.COMPLETED, now(), null, null)
                        // The object is visible either way; the sweeper settles a stuck intent.
                        .onErrorResume(error -> logStuck(claimed, error))
                        .thenReturn(stored))
                .onErrorResume(error -> {
                    boolean rejected = DirectUploadService.rejects(error);
                    String code = error instanceof GranaryException g ? g.code().code() : ErrorCode.INTERNAL.code();
                    return intents.transition(claimed.id(), UploadIntent.State.COMPLETING,
                                    rejected ? UploadIntent.State.REJECTED : UploadIntent.State.PENDING, now(), null,
                                    rejected ? code : null)
                            .onErrorResume(ignored -> logStuck(claimed, ignored))
                            .then(Mono.error(error));
                })
                .toFuture(), true));
    }

    private static Mono<UploadIntent> logStuck(UploadIntent intent, Throwable error) {
        log.warn("upload {} stays 'completing' until the sweeper settles it: {}", intent.id(), error.toString());
        return Mono.empty();
    }

    /** The bucket, for a tenant's key or user who may write to it. */
    private Mono<Bucket> resolve(Principal principal, String bucketName) {
        if (!(principal instanceof Principal.Member)) {
            return Mono.error(new GranaryException(ErrorCode.FORBIDDEN, "Uploads are managed with a tenant's key or user token."));
        }
        return buckets.resolve(principal, bucketName, Permission.WRITE);
    }

    /** The intent, if it belongs to this bucket (of this tenant); another's is simply not found. */
    private Mono<UploadIntent> find(Bucket bucket, String uploadId) {
        return (Ids.isId(uploadId) ? intents.find(uploadId) : Mono.<UploadIntent>empty())
                .filter(intent -> intent.tenantId().equals(bucket.tenantId()) && intent.bucketId().equals(bucket.id()))
                .switchIfEmpty(Mono.error(UploadIntentService::notFound));
    }

    /** An intent that may still receive bytes: pending and not expired. */
    private static void requireOpen(UploadIntent intent, Instant now) {
        switch (intent.visibleState(now)) {
            case PENDING -> { }
            case EXPIRED -> throw expired(intent);
            default -> throw notPending("is " + intent.state().wireName() + " and takes no more bytes");
        }
    }

    private static GranaryException notFound() {
        return new GranaryException(ErrorCode.UPLOAD_NOT_FOUND, "No such upload in this bucket.");
    }

    private static GranaryException notPending(String why) {
        return new GranaryException(ErrorCode.UPLOAD_NOT_PENDING, "The upload " + why + ".");
    }

    private static GranaryException expired(UploadIntent intent) {
        return new GranaryException(ErrorCode.UPLOAD_EXPIRED, "The upload expired at " + intent.expiresAt() + ".");
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
