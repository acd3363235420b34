package io.granary.bucket;

import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.common.Ids;
import io.granary.common.Names;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.object.ObjectRepository;
import io.granary.security.Authorizer;
import io.granary.security.Permission;
import io.granary.security.Principal;
import io.granary.storage.BlobStore;
import io.granary.usage.QuotaService;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Bucket rules: naming, settings, scope of keys, and what deleting a bucket takes with it. */
@Service
public class BucketService {

    private static final Logger log = LoggerFactory.getLogger(BucketService.class);

    private final BucketRepository buckets;
    private final ObjectRepository objects;
    private final BlobStore blobs;
    private final AuditLog audit;
    private final QuotaService quotas;

    public BucketService(BucketRepository buckets, ObjectRepository objects, BlobStore blobs, AuditLog audit,
                         QuotaService quotas) {
        this.quotas = quotas;
        this.buckets = buckets;
        this.objects = objects;
        this.blobs = blobs;
        this.audit = audit;
    }

    public Mono<Bucket> create(Principal principal, String name, BucketSettings settings) {
        String tenantId = Authorizer.requireBucket(principal, Permission.ADMIN, name);
        Names.requireBucketName(name);
        Bucket bucket = new Bucket(Ids.newId(), tenantId, name, settings.visibility(), settings.maxObjectSize(),
                settings.allowedContentTypes(), Instant.now().truncatedTo(ChronoUnit.MILLIS), settings.quotaBytes(),
                settings.quotaObjects(), settings.redirectDownloads(), settings.cacheControl(), null, null,
                settings.lifecycleRules().isEmpty() ? null : settings.lifecycleRules());
        return buckets.insert(bucket)
                .flatMap(created -> audit.record(principal, tenantId, AuditEventType.BUCKET_CREATED, "bucket:" + name,
                        Map.of("visibility", created.visibility())).thenReturn(created));
    }

    /** The buckets this key can reach. */
    public Flux<Bucket> list(Principal principal) {
        Principal.Member key = Authorizer.member(principal);
        return buckets.findByTenant(key.tenantId()).filter(bucket -> key.reaches(bucket.name()));
    }

    /**
     * The named bucket of the caller's tenant, after checking the permission and the key's bucket
     * scope. Another tenant's bucket of the same name is simply not found.
     */
    public Mono<Bucket> resolve(Principal principal, String name, Permission permission) {
        String tenantId = Authorizer.requireBucket(principal, permission, name);
        return buckets.find(tenantId, name)
                // A private bucket does not exist for anonymous readers, so its name does not leak.
                // A signed URL names its bucket by id: any other bucket, or none, is a mismatch.
                .filter(bucket -> (!(principal instanceof Principal.Anonymous) || "public".equals(bucket.visibility()))
                        && (!(principal instanceof Principal.Grant grant) || grant.bucketId().equals(bucket.id())))
                .switchIfEmpty(Mono.error(() -> principal instanceof Principal.Grant
                        ? new GranaryException(ErrorCode.SIGNED_URL_MISMATCH, "The signed URL was issued for another bucket.")
                        : notFound(name)));
    }

    /** Any permission at all lets a key see a bucket's settings. */
    public Mono<Bucket> describe(Principal principal, String name) {
        Principal.Member key = Authorizer.member(principal);
        if (!key.reaches(name)) {
            return Mono.error(new GranaryException(ErrorCode.FORBIDDEN, "This key is not valid for bucket '" + name + "'."));
        }
        return buckets.find(key.tenantId(), name)
                .switchIfEmpty(Mono.error(() -> notFound(name)));
    }

    /** The bucket's CORS rules (none is an empty list); whoever may see its settings may see them. */
    public Mono<List<CorsRule>> cors(Principal principal, String name) {
        return describe(principal, name).map(Bucket::corsRules);
    }

    /**
     * Replaces the bucket's CORS rules, at most {@value CorsRule#MAX_RULES}; an empty list removes
     * them. Audited: the rules decide which web pages may use the bucket's URLs.
     */
    public Mono<Void> replaceCors(Principal principal, String name, List<CorsRule> rules) {
        return resolve(principal, name, Permission.ADMIN).flatMap(bucket -> {
            if (rules.size() > CorsRule.MAX_RULES) {
                return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "A bucket has at most " + CorsRule.MAX_RULES
                        + " CORS rules."));
            }
            Map<String, Object> change = new HashMap<>();
            change.put("cors", rules.isEmpty() ? null : List.copyOf(rules));
            return buckets.update(bucket.id(), change)
                    .then(audit.record(principal, bucket.tenantId(), AuditEventType.BUCKET_CORS_CHANGED, "bucket:" + name,
                            Map.of("rules", Integer.toString(rules.size()))));
        });
    }

    /**
     * Replaces the bucket's image presets, at most {@value ImagePreset#MAX_PRESETS} with distinct
     * names; an empty list removes them. Needs {@code admin}; audited. The caller has checked
     * that each transform is one the image feature can make.
     */
    public Mono<Void> replaceImagePresets(Principal principal, String name, List<ImagePreset> presets) {
        if (presets.size() > ImagePreset.MAX_PRESETS) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "A bucket has at most "
                    + ImagePreset.MAX_PRESETS + " image presets."));
        }
        if (presets.stream().map(ImagePreset::name).distinct().count() < presets.size()) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "Preset names must differ."));
        }
        return resolve(principal, name, Permission.ADMIN).flatMap(bucket -> {
            Map<String, Object> change = new HashMap<>();
            change.put("imagePresets", presets.isEmpty() ? null : List.copyOf(presets));
            return buckets.update(bucket.id(), change)
                    .then(audit.record(principal, bucket.tenantId(), AuditEventType.BUCKET_PRESETS_CHANGED, "bucket:" + name,
                            Map.of("presets", Integer.toString(presets.size()))));
        });
    }

    public Mono<Bucket> update(Principal principal, String name, Map<String, Object> patch) {
        return resolve(principal, name, Permission.ADMIN).flatMap(bucket -> {
            BucketSettings current = new BucketSettings(bucket.visibility(), bucket.maxObjectSize(), bucket.allowedContentTypes(),
                    bucket.quotaBytes(), bucket.quotaObjects(), bucket.redirectsDownloads(), bucket.cacheControl(), bucket.lifecycle());
            BucketSettings next = current.patchedWith(patch);
            Map<String, Object> changes = next.fields(patch.keySet());
            if (changes.isEmpty()) {
                return Mono.just(bucket);
            }
            return buckets.update(bucket.id(), changes).flatMap(previous -> {
                Bucket updated = previous.with(changes);
                // Judged on the state this very update replaced, so a change is never missed.
                Mono<Void> visibility = previous.visibility().equals(updated.visibility()) ? Mono.empty()
                        : audit.record(principal, bucket.tenantId(), AuditEventType.BUCKET_VISIBILITY_CHANGED, "bucket:" + name,
                                Map.of("from", previous.visibility(), "to", updated.visibility()));
                // Lifecycle rules delete data, so who set them is kept, as for CORS rules.
                Mono<Void> lifecycle = previous.lifecycle().equals(updated.lifecycle()) ? Mono.empty()
                        : audit.record(principal, bucket.tenantId(), AuditEventType.BUCKET_LIFECYCLE_CHANGED, "bucket:" + name,
                                Map.of("rules", Integer.toString(updated.lifecycle().size())));
                return visibility.then(lifecycle).thenReturn(updated);
            });
        }).switchIfEmpty(Mono.error(() -> notFound(name)));
    }

    /**
     * Deletes a bucket. Without {@code force} it must be empty; with it every object goes too:
     * each record first (so nothing can be read any more), then its blob.
     */
    public Mono<Void> delete(Principal principal, String name, boolean force) {
        return resolve(principal, name, Permission.ADMIN).flatMap(bucket -> {
            Mono<Void> emptied = force
                    ? objects.removeAllInBucket(bucket)
                            .concatMap(removed -> blobs.delete(removed.location()).onErrorResume(e -> {
                                log.warn("could not delete blob {}; the orphan sweeper will reclaim it: {}",
                                        removed.location(), e.toString());
                                return Mono.empty();
                            }), 8)
                            .then()
                    : objects.anyInBucket(bucket).flatMap(any -> any
                            ? Mono.error(new GranaryException(ErrorCode.BUCKET_NOT_EMPTY,
                                    "The bucket is not empty; delete its objects or pass ?force=true."))
                            : Mono.empty());
            return emptied.then(buckets.delete(bucket))
                    .then(quotas.forgetBucket(bucket))
                    .then(audit.record(principal, bucket.tenantId(), AuditEventType.BUCKET_DELETED, "bucket:" + name,
                            Map.of("force", Boolean.toString(force))));
        });
    }

    private static GranaryException notFound(String name) {
        return new GranaryException(ErrorCode.BUCKET_NOT_FOUND, "No bucket named '" + name + "'.");
    }
}
