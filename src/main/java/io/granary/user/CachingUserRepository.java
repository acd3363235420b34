package io.granary.user;

import io.granary.cache.Caches;
import io.granary.cache.TwoTierCache;
import java.time.Instant;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The user port with lookups by id cached: every request with an embedded-issuer token checks
 * its user. Changes and deletions invalidate on all nodes before they complete, so a disabled
 * or deleted user's tokens stop working at once everywhere. Logins (by name) are not cached:
 * they are rare and must see the current password.
 */
@Primary
@Component
class CachingUserRepository implements UserRepository {

    /** The cached form, with what the API form hides (the password hash and session version). */
    record Cached(String id, String username, String role, String tenantId, Instant createdAt, boolean disabled,
                  long sessionVersion, String passwordHash) {

        static Cached of(UserAccount user) {
            return new Cached(user.id(), user.username(), user.role(), user.tenantId(), user.createdAt(), user.disabled(),
                    user.sessionVersion(), user.passwordHash());
        }

        UserAccount user() {
            return new UserAccount(id, username, role, tenantId, createdAt, disabled, sessionVersion, passwordHash);
        }
    }

    private final MongoUserRepository source;
    private final TwoTierCache<Cached> byId;

    CachingUserRepository(MongoUserRepository source, Caches caches) {
        this.source = source;
        this.byId = caches.metadata("user", Cached.class);
    }

    @Override
    public Mono<UserAccount> insert(UserAccount user) {
        return source.insert(user).flatMap(created -> byId.invalidate(created.id()).thenReturn(created));
    }

    @Override
    public Mono<UserAccount> findById(String id) {
        return byId.get(id, () -> source.findById(id).map(Cached::of)).map(Cached::user);
    }

    @Override
    public Mono<UserAccount> findByUsername(String username) {
        return source.findByUsername(username);
    }

    @Override
    public Flux<UserAccount> find(String tenantId) {
        return source.find(tenantId);
    }

    @Override
    public Mono<UserAccount> replace(UserAccount user, long expectedVersion) {
        return source.replace(user, expectedVersion)
                .flatMap(replaced -> byId.invalidate(replaced.id()).thenReturn(replaced));
    }

    @Override
    public Mono<Boolean> delete(String id) {
        return source.delete(id).flatMap(removed -> byId.invalidate(id).thenReturn(removed));
    }

    @Override
    public Mono<Void> deleteByTenant(String tenantId) {
        return source.find(tenantId).map(UserAccount::id).collectList()
                .flatMap(ids -> source.deleteByTenant(tenantId).then(Flux.fromIterable(ids).concatMap(byId::invalidate).then()));
    }

    @Override
    public Mono<Long> count() {
        return source.count();
    }
}
