package io.granary.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.granary.common.Ids;
import io.granary.config.GranaryProperties;
import java.net.URI;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Granary's own OIDC issuer for dashboard users: signs RS256 access tokens with a key pair kept
 * in MongoDB (generated on first use) and publishes the public keys at
 * {@code /.well-known/jwks.json} and its metadata at {@code /.well-known/openid-configuration},
 * so any OIDC resource server, Granary's own included, can validate its tokens.
 *
 * <p>Its issuer identifier is {@code granary.auth.embedded-issuer}, else {@code granary.public-url},
 * else {@code http://localhost:<port>}.
 */
@Component
public class EmbeddedIssuer {

    private static final int KEY_BITS = 2048;

    private final TokenSigningKeyRepository repository;
    private final GranaryProperties properties;
    private final Environment environment;
    private static final Duration RELOAD_INTERVAL = Duration.ofSeconds(10);

    private final AtomicReference<Mono<List<RSAKey>>> keys = new AtomicReference<>();
    private final AtomicLong lastReload = new AtomicLong(System.nanoTime() - RELOAD_INTERVAL.toNanos());

    EmbeddedIssuer(TokenSigningKeyRepository repository, GranaryProperties properties, Environment environment) {
        this.repository = repository;
        this.properties = properties;
        this.environment = environment;
        keys.set(load());
    }

    /** The {@code iss} of its tokens, without a trailing slash. */
    public String issuer() {
        URI configured = properties.auth().embeddedIssuer() != null ? properties.auth().embeddedIssuer() : properties.publicUrl();
        String issuer = configured != null ? configured.toString()
                : "http://localhost:" + environment.getProperty("local.server.port", "8080");
        return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    }

    /** Signs {@code claims} (issuer, times and id are added here) with the newest key. */
    public Mono<String> sign(JWTClaimsSet.Builder claims, long ttlSeconds) {
        return keys.get().map(all -> {
            RSAKey key = all.get(0);
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            JWTClaimsSet set = claims.issuer(issuer())
                    .issueTime(Date.from(now))
                    .notBeforeTime(Date.from(now))
                    .expirationTime(Date.from(now.plusSeconds(ttlSeconds)))
                    .jwtID(Ids.newId())
                    .build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), set);
            try {
                jwt.sign(new RSASSASigner(key));
            } catch (JOSEException e) {
                throw new IllegalStateException("cannot sign a token", e);
            }
            return jwt.serialize();
        });
    }

    /** The public keys as a JWK set document. */
    public Mono<Map<String, Object>> jwks() {
        return keys.get().map(all -> new JWKSet(all.stream().map(k -> (JWK) k.toPublicJWK()).toList()).toJSONObject(true));
    }

    /** The OIDC discovery document. */
    public Map<String, Object> openidConfiguration() {
        String issuer = issuer();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", issuer);
        document.put("jwks_uri", issuer + "/.well-known/jwks.json");
        document.put("token_endpoint", issuer + "/v1/auth/login");
        document.put("response_types_supported", List.of("token"));
        document.put("grant_types_supported", List.of("password", "refresh_token"));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported", List.of("RS256"));
        document.put("token_endpoint_auth_methods_supported", List.of("none"));
        document.put("claims_supported", List.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti",
                "preferred_username", SessionService.SESSION_ID_CLAIM, properties.auth().tenantClaim(), properties.auth().rolesClaim()));
        return document;
    }

    /**
     * The public key with that id, for validating tokens. An unknown id reloads the keys once
     * (another node may have created one).
     */
    public Flux<JWK> verificationKeys(String kid) {
        return keys.get().flatMapMany(all -> {
            List<RSAKey> matching = all.stream().filter(k -> k.getKeyID().equals(kid)).toList();
            if (!matching.isEmpty() || kid == null || !reloadAllowed()) {
                return Flux.fromIterable(matching);
            }
            Mono<List<RSAKey>> reloaded = load();
            keys.set(reloaded);
            return reloaded.flatMapMany(fresh -> Flux.fromIterable(fresh).filter(k -> k.getKeyID().equals(kid)));
        }).map(RSAKey::toPublicJWK);
    }

    /**
     * Unknown key ids come from anyone who sends a token: they may reload the keys from the
     * database at most once per {@link #RELOAD_INTERVAL}, not once per request.
     */
    private boolean reloadAllowed() {
        long now = System.nanoTime();
        long last = lastReload.get();
        return now - last >= RELOAD_INTERVAL.toNanos() && lastReload.compareAndSet(last, now);
    }

    /** The stored keys (creating the first when there is none), cached until reloaded. */
    private Mono<List<RSAKey>> load() {
        return repository.findAll().map(EmbeddedIssuer::decode).collectList()
                .flatMap(all -> !all.isEmpty() ? Mono.just(all)
                        : Mono.fromCallable(EmbeddedIssuer::generate).subscribeOn(Schedulers.boundedElastic())
                                .flatMap(repository::insert)
                                .thenMany(repository.findAll().map(EmbeddedIssuer::decode)).collectList())
                // Kept until an unknown key id reloads them; a failed load (database down) is not
                // kept, so the next request tries again.
                .cache(all -> Duration.ofDays(3650), error -> Duration.ZERO, () -> Duration.ZERO);
    }

    private static TokenSigningKey generate() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(KEY_BITS);
        KeyPair pair = generator.generateKeyPair();
        Base64.Encoder base64 = Base64.getEncoder();
        return new TokenSigningKey(Ids.newId(), base64.encodeToString(pair.getPublic().getEncoded()),
                base64.encodeToString(pair.getPrivate().getEncoded()), Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    private static RSAKey decode(TokenSigningKey stored) {
        try {
            KeyFactory factory = KeyFactory.getInstance("RSA");
            Base64.Decoder base64 = Base64.getDecoder();
            RSAPublicKey publicKey = (RSAPublicKey) factory.generatePublic(new X509EncodedKeySpec(base64.decode(stored.publicKey())));
            RSAPrivateKey privateKey = (RSAPrivateKey) factory.generatePrivate(new PKCS8EncodedKeySpec(base64.decode(stored.privateKey())));
            return new RSAKey.Builder(publicKey).privateKey(privateKey).keyID(stored.kid())
                    .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("token signing key " + stored.kid() + " is damaged", e);
        }
    }
}
