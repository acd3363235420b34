package io.granary.user;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Storage port for dashboard users. {@link #insert} fails with {@code user_exists} on a taken user name. */
public interface UserRepository {

    Mono<UserAccount> insert(UserAccount user);

    Mono<UserAccount> findById(String id);

    Mono<UserAccount> findByUsername(String username);

    /** All users, or one tenant's when {@code tenantId} is given, by user name. */
    Flux<UserAccount> find(String tenantId);

    /**
     * Replaces the stored user if it still has session version {@code expectedVersion} (no
     * other change came in between); completes empty when it is gone or was changed.
     */
    Mono<UserAccount> replace(UserAccount user, long expectedVersion);

    Mono<Boolean> delete(String id);

    Mono<Void> deleteByTenant(String tenantId);

    Mono<Long> count();
}
