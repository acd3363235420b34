package io.granary.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Everything under {@code granary.*}. Environment variables bind by Spring Boot's relaxed rules
 * ({@code GRANARY_DATA_DIR}, {@code GRANARY_STORE_TYPE}, {@code GRANARY_STORE_S3_ENDPOINT}, ...).
 *
 * @param dataDir where the embedded database, the filesystem store and the root key live
 * @param rootKey the root credential; generated into {@code <dataDir>/root.key} when unset
 * @param store which blob store holds object bytes
 * @param sweeper the orphan-blob sweeper
 * @param audit the audit log
 * @param scan the upload-scanner hook
 * @param rateLimit request rate limits
 * @param adminPassword password of the first system admin {@code admin}, created on the first
 *     start ({@code GRANARY_ADMIN_PASSWORD}); when unset a generated one is written to
 *     {@code <dataDir>/admin.password}
 * @param auth JWT validation and the embedded issuer
 * @param redis the shared Redis, if any
 * @param uploads direct-to-store upload intents
 * @param multipart client-driven multipart uploads
 * @param cache the two-tier cache of metadata and small objects
 * @param tus resumable uploads (tus 1.0.0)
 * @param publicUrl the base URL clients reach Granary at, used in signed URLs; when unset, the
 *     scheme and host of the request that asked for the URL
 * @param usage the usage counters' recount and the daily usage history
 * @param signedUrls the limits of signed URLs
 * @param lifecycle the job that applies buckets' lifecycle rules
 */
@ConfigurationProperties("granary")
public record GranaryProperties(
        @DefaultValue("./data") Path dataDir,
        String rootKey,
        URI publicUrl,
        @DefaultValue Store store,
        @DefaultValue Sweeper sweeper,
        @DefaultValue Audit audit,
        @DefaultValue Scan scan,
        @DefaultValue RateLimit rateLimit,
        String adminPassword,
        @DefaultValue Auth auth,
        @DefaultValue Redis redis,
        @DefaultValue Uploads uploads,
        @DefaultValue Multipart multipart,
        @DefaultValue Cache cache,
        @DefaultValue Tus tus,
        @DefaultValue Http http,
        @DefaultValue Usage usage,
        @DefaultValue SignedUrls signedUrls,
        @DefaultValue Lifecycle lifecycle) {

    /** The blob store kinds. */
    public enum StoreType { FILESYSTEM, S3 }

    /**
     * @param type {@code filesystem} (default, under the data directory) or {@code s3}
     * @param s3 settings used when the type is {@code s3}
     * @param supersededGrace how long the bytes of a replaced or deleted version stay readable
     *     for requests that resolved it just before; {@code 0s} deletes them at once
     * @param redirectTtl lifetime of the presigned store URLs that {@code ?redirect=true} answers with
     */
    public record Store(
            @DefaultValue("filesystem") StoreType type,
            @DefaultValue S3 s3,
            @DefaultValue("30s") Duration supersededGrace,
            @DefaultValue("5m") Duration redirectTtl) {
    }

    /**
     * Settings of the S3 adapter; work with AWS S3, Cloudflare R2, MinIO, Ceph, S3Proxy and others.
     *
     * @param endpoint endpoint override (for anything but AWS), e.g. {@code http://localhost:9000}
     * @param region signing region
     * @param bucket the one store bucket holding all Granary blobs
     * @param accessKey access key id
     * @param secretKey secret access key
     * @param pathStyle path-style addressing (MinIO, S3Proxy, Ceph need it)
     * @param maxConcurrency maximum open connections to the store; a transfer holds one throughout,
     *     so this bounds concurrent uncached transfers (the SDK's own default, 50, is for clients)
     * @param connectionAcquireTimeout how long a request may wait for a pooled connection
     * @param readTimeout longest silence on a connection before it is failed
     * @param apiCallTimeout upper bound of one non-streaming call (head, delete, copy, list)
     * @param checksums {@code when-supported} (the SDK default: CRC trailers on uploads) or
     *     {@code when-required} for stores that reject trailing checksums
     * @param partSize part size used for uploads of unknown or very large length
     */
    public record S3(
            URI endpoint,
            @DefaultValue("us-east-1") String region,
            @DefaultValue("granary") String bucket,
            String accessKey,
            String secretKey,
            @DefaultValue("true") boolean pathStyle,
            @DefaultValue("256") int maxConcurrency,
            @DefaultValue("30s") Duration connectionAcquireTimeout,
            @DefaultValue("60s") Duration readTimeout,
            @DefaultValue("5m") Duration apiCallTimeout,
            @DefaultValue("when-supported") ChecksumMode checksums,
            @DefaultValue("8MB") DataSize partSize) {
    }

    /** How the S3 client computes request checksums. */
    public enum ChecksumMode { WHEN_SUPPORTED, WHEN_REQUIRED }

    /**
     * @param enabled whether requests are limited at all
     * @param keyRequestsPerSecond default sustained rate of one API key (a key may set its own)
     * @param tenantRequestsPerSecond sustained rate of all of one tenant's callers together
     * @param burstSeconds how many seconds' worth of requests may come at once
     * @param paceRefusalsAfter refusals (401, 403, 429) of one caller within a second answered at
     *     once; each further one in that second is answered after {@code refusalDelay}
     * @param refusalDelay how long a refusal beyond {@code paceRefusalsAfter} is held back; {@code 0s}
     *     answers every refusal at once
     */
    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("200") double keyRequestsPerSecond,
            @DefaultValue("1000") double tenantRequestsPerSecond,
            @DefaultValue("2") double burstSeconds,
            @DefaultValue("20") int paceRefusalsAfter,
            @DefaultValue("250ms") Duration refusalDelay) {
    }

    /**
     * The Redis that nodes share (rate limits today). Optional: without a URL every node keeps
     * its state to itself, which is all a single node needs.
     *
     * @param url e.g. {@code redis://host:6379} or {@code rediss://:password@host:6380/0}; unset or
     *     blank means no Redis
     * @param timeout longest wait for one answer from Redis (and for connecting); past it the
     *     caller falls back to its in-process state
     * @param retryInterval after a failed or slow call, how long Redis is left alone before it is
     *     tried again
     */
    public record Redis(
            String url,
            @DefaultValue("300ms") Duration timeout,
            @DefaultValue("5s") Duration retryInterval) {

        /** Whether a Redis is configured at all. */
        public boolean configured() {
            return url != null && !url.isBlank();
        }
    }

    /**
     * Signed URLs ({@code POST /v1/buckets/{bucket}/signed-urls}).
     *
     * @param maxTtl the longest lifetime a caller may ask for ({@code ttlSeconds}): 7 days by
     *     default, the longest presigned URL AWS allows; from {@link #MIN_TTL} to {@link #MAX_MAX_TTL}
     */
    public record SignedUrls(@DefaultValue("7d") Duration maxTtl) {

        /** The shortest lifetime a caller may ask for, whatever the setting. */
        public static final Duration MIN_TTL = Duration.ofMinutes(1);
        /**
         * The largest {@code maxTtl} Granary starts with. A signed URL is a bearer credential that
         * can only be revoked with its issuer or its signing key, never alone; a link meant to live
         * longer than a month is better a public bucket, and a slip ({@code 7000d}) must not make
         * links that practically never expire.
         */
        public static final Duration MAX_MAX_TTL = Duration.ofDays(30);

        public SignedUrls {
            if (maxTtl.compareTo(MIN_TTL) < 0 || maxTtl.compareTo(MAX_MAX_TTL) > 0) {
                throw new IllegalArgumentException("granary.signed-urls.max-ttl must be from 60s to 30d: " + maxTtl);
            }
        }
    }

    /**
     * @param ttl how long an upload intent (and the URL it hands out) stays valid: from one
     *     minute to one day, so a live intent's bytes are younger than the orphan sweeper's
     *     default safety age and the URL never outlives a day
     * @param sweepInterval how often expired intents and their bytes are swept
     */
    public record Uploads(@DefaultValue("1h") Duration ttl, @DefaultValue("10m") Duration sweepInterval) {

        public Uploads {
            if (ttl.compareTo(Duration.ofMinutes(1)) < 0 || ttl.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("granary.uploads.ttl must be from 1 minute to 1 day: " + ttl);
            }
            if (sweepInterval.isNegative() || sweepInterval.isZero()) {
                throw new IllegalArgumentException("granary.uploads.sweep-interval must be positive: " + sweepInterval);
            }
        }
    }

    /**
     * @param minPartSize the smallest size of every part but the last: S3's 5 MiB by default
     *     (stores that are S3 refuse smaller parts anyway); lower only for tests
     * @param expireAfter incomplete uploads older than this are aborted and their parts freed
     * @param sweepInterval how often expired uploads are swept
     * @param partUrlTtl lifetime of presigned part URLs
     */
    public record Multipart(
            @DefaultValue("5MB") DataSize minPartSize,
            @DefaultValue("7d") Duration expireAfter,
            @DefaultValue("10m") Duration sweepInterval,
            @DefaultValue("1h") Duration partUrlTtl) {

        public Multipart {
            if (minPartSize.toBytes() < 1 || minPartSize.toBytes() > (5L << 30)) {
                throw new IllegalArgumentException("granary.multipart.min-part-size must be 1 byte to 5 GiB: " + minPartSize);
            }
            if (expireAfter.isNegative() || expireAfter.isZero() || sweepInterval.isNegative() || sweepInterval.isZero()
                    || partUrlTtl.compareTo(Duration.ofMinutes(1)) < 0 || partUrlTtl.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("granary.multipart durations must be positive (part-url-ttl 1 minute to 7 days)");
            }
        }
    }

    /**
     * @param partSize the size of the multipart parts a tus upload's bytes are cut into (every
     *     part but the last); at least {@code granary.multipart.min-part-size}. The largest tus
     *     upload is 10,000 of them (8 MiB: about 78 GiB)
     * @param expireAfter a tus upload not finished this long after its creation expires
     *     ({@code Upload-Expires}); swept with the multipart uploads
     * @param lockTtl how long a PATCH's lock on its upload lasts without renewal (renewed every
     *     third of it while the PATCH runs), so a node that dies frees it after this
     */
    public record Tus(
            @DefaultValue("8MB") DataSize partSize,
            @DefaultValue("1d") Duration expireAfter,
            @DefaultValue("30s") Duration lockTtl) {

        public Tus {
            if (partSize.toBytes() < 1 || partSize.toBytes() > (5L << 30)) {
                throw new IllegalArgumentException("granary.tus.part-size must be 1 byte to 5 GiB: " + partSize);
            }
            if (expireAfter.isNegative() || expireAfter.isZero() || lockTtl.compareTo(Duration.ofSeconds(3)) < 0) {
                throw new IllegalArgumentException("granary.tus.expire-after must be positive, lock-ttl at least 3s");
            }
        }
    }

    /**
     * The HTTP server's own limits.
     *
     * @param readTimeout longest the client may leave Granary waiting for more of a request's
     *     body (time Granary holds back reading for backpressure does not count); the request
     *     then fails and its connection is closed, so a client that stops sending mid-upload
     *     holds neither the connection nor, for tus, its upload's lock for longer than this
     */
    public record Http(@DefaultValue("60s") Duration readTimeout) {

        public Http {
            if (readTimeout.isNegative() || readTimeout.isZero()) {
                throw new IllegalArgumentException("granary.http.read-timeout must be positive: " + readTimeout);
            }
        }
    }

    /**
     * The cache of API keys, tenants, buckets, object metadata and small objects' bytes.
     *
     * @param enabled whether anything is cached at all
     * @param ttl how long metadata stays in a node's memory when Redis carries invalidations
     *     between nodes; values in Redis live {@code sharedTtl}
     * @param localTtl the same without Redis: with several nodes, the longest a node may serve
     *     metadata another node changed
     * @param sharedTtl how long metadata and bytes stay in Redis
     * @param negativeTtl how long "not found" is remembered
     * @param metadataMemory the most memory each metadata cache may take on a node
     * @param objectMaxSize objects up to this size have their bytes cached
     * @param objectMemory the most memory cached object bytes may take on a node
     */
    public record Cache(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("5m") Duration ttl,
            @DefaultValue("5s") Duration localTtl,
            @DefaultValue("30m") Duration sharedTtl,
            @DefaultValue("2s") Duration negativeTtl,
            @DefaultValue("32MB") DataSize metadataMemory,
            @DefaultValue("256KB") DataSize objectMaxSize,
            @DefaultValue("128MB") DataSize objectMemory) {
    }

    /** @param timeout longest wait for an upload scanner's verdict; past it the upload fails with 503 */
    public record Scan(@DefaultValue("60s") Duration timeout) {
    }

    /**
     * @param deniedBurstThreshold refused requests of one caller within a minute that make a
     *     {@code denied_burst} event
     * @param retention how long audit events are kept; older ones are pruned
     * @param deniedCounterRetention how long a per-minute counter of refused requests is kept
     *     after its minute (it is only counted into during that minute)
     * @param pruneInterval how often old events and counters are pruned
     */
    public record Audit(
            @DefaultValue("20") long deniedBurstThreshold,
            @DefaultValue("90d") Duration retention,
            @DefaultValue("1h") Duration deniedCounterRetention,
            @DefaultValue("1h") Duration pruneInterval) {

        public Audit {
            if (!positive(retention) || !positive(deniedCounterRetention) || !positive(pruneInterval)) {
                throw new IllegalArgumentException(
                        "granary.audit.retention, denied-counter-retention and prune-interval must be positive");
            }
            if (deniedCounterRetention.compareTo(Duration.ofMinutes(1)) < 0) {
                // A counter must outlive the minute it counts, or a burst is never seen.
                throw new IllegalArgumentException("granary.audit.denied-counter-retention must be at least 1m");
            }
        }
    }

    /**
     * The recount that corrects drifted usage counters.
     *
     * @param recountInterval how often usage counters are recounted (by one node of the
     *     installation); nodes check every tenth of it, at most every ten minutes, whether it
     *     is due
     * @param recountSettle how long a recount waits between two looks at a counter that
     *     disagrees with the catalogue; only a disagreement that stays the same over it is
     *     corrected (far longer than any write takes from its quota reservation to its commit)
     * @param history the daily usage history
     */
    public record Usage(
            @DefaultValue("24h") Duration recountInterval,
            @DefaultValue("5s") Duration recountSettle,
            @DefaultValue History history) {

        public Usage {
            if (!positive(recountInterval) || !positive(recountSettle)) {
                throw new IllegalArgumentException("granary.usage.recount-interval and recount-settle must be positive");
            }
        }
    }

    /**
     * The daily usage history: requests and downloads counted in each node's memory and added to
     * MongoDB every {@code flushInterval}; bytes and objects stored, snapshotted every
     * {@code snapshotInterval}.
     *
     * @param flushInterval how often each node adds the requests and downloads it counted to the
     *     history; what a node counted since its last flush is lost if it dies (not if it stops)
     * @param snapshotInterval how often (by one node of the installation) today's stored bytes and
     *     objects are written to the history, and days past the retention deleted; nodes check
     *     every tenth of it, at most every ten minutes, whether it is due
     */
    public record History(
            @DefaultValue("10s") Duration flushInterval,
            @DefaultValue("1h") Duration snapshotInterval) {

        public History {
            if (!positive(flushInterval) || !positive(snapshotInterval)) {
                throw new IllegalArgumentException(
                        "granary.usage.history.flush-interval and snapshot-interval must be positive");
            }
        }
    }

    /**
     * @param interval how often (by one node of the installation) the buckets' lifecycle rules
     *     are applied; nodes check every tenth of it, at most every ten minutes, whether it is due
     */
    public record Lifecycle(@DefaultValue("1h") Duration interval) {

        public Lifecycle {
            if (!positive(interval)) {
                throw new IllegalArgumentException("granary.lifecycle.interval must be positive: " + interval);
            }
        }
    }

    private static boolean positive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    /**
     * @param interval how often the sweeper runs
     * @param safetyAge blobs younger than this are never reclaimed (an upload may be in flight)
     */
    public record Sweeper(@DefaultValue("1h") Duration interval, @DefaultValue("24h") Duration safetyAge) {
    }

    /**
     * JWTs: which issuers are trusted, how their claims map to Granary roles, and the embedded
     * issuer's token lifetimes.
     *
     * @param issuers external OIDC issuers trusted for every tenant (Keycloak, Auth0, Entra, ...)
     * @param embeddedIssuer the {@code iss} of tokens Granary signs itself; defaults to
     *     {@code publicUrl}, else {@code http://localhost:<port>}
     * @param audience the {@code aud} value tokens must carry (per issuer overridable)
     * @param clockSkew tolerance on {@code exp} and {@code nbf}
     * @param tenantClaim claim naming the caller's tenant (its name)
     * @param rolesClaim claim holding the roles, a list or a space-separated string; a dotted
     *     path reaches nested claims ({@code realm_access.roles}); {@code scope} makes scopes
     *     the roles
     * @param systemAdminRole role value of system admins (all tenants)
     * @param tenantAdminRole role value of tenant admins
     * @param memberRole role value of tenant members (read, list, write, delete)
     * @param accessTokenTtl lifetime of the embedded issuer's access tokens
     * @param refreshTokenTtl lifetime of its refresh tokens
     * @param allowInsecureTenantIssuers whether tenants may register issuers over plain HTTP or at
     *     non-public addresses (tests, labs)
     */
    public record Auth(
            @DefaultValue List<Issuer> issuers,
            URI embeddedIssuer,
            @DefaultValue("granary") String audience,
            @DefaultValue("30s") Duration clockSkew,
            @DefaultValue("tenant") String tenantClaim,
            @DefaultValue("roles") String rolesClaim,
            @DefaultValue("granary:system-admin") String systemAdminRole,
            @DefaultValue("granary:tenant-admin") String tenantAdminRole,
            @DefaultValue("granary:member") String memberRole,
            @DefaultValue("15m") Duration accessTokenTtl,
            @DefaultValue("30d") Duration refreshTokenTtl,
            @DefaultValue("false") boolean allowInsecureTenantIssuers) {
    }

    /**
     * An external issuer trusted for all tenants.
     *
     * @param issuerUri the exact {@code iss} of its tokens; its keys are found through
     *     {@code <issuerUri>/.well-known/openid-configuration} unless {@code jwkSetUri} is given
     * @param jwkSetUri where its signing keys are published, or {@code null} to discover it
     * @param audience the audience its tokens must carry, or {@code null} for the global one
     */
    public record Issuer(URI issuerUri, URI jwkSetUri, String audience) {
    }
}
