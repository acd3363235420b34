package io.granary.user;

import io.granary.audit.AuditEventType;
import io.granary.audit.AuditLog;
import io.granary.common.Ids;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.Authorizer;
import io.granary.security.Principal;
import io.granary.tenant.TenantService;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import jakarta.annotation.PreDestroy;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Dashboard users of the embedded issuer: who may manage whom, and password checks.
 * <ul>
 *   <li>system admins (the root key, system-admin users) manage every user;</li>
 *   <li>a tenant's admins (unscoped admin keys, tenant-admin users) manage that tenant's users,
 *       never system admins;</li>
 *   <li>every user may change their own password.</li>
 * </ul>
 * Passwords are hashed with bcrypt off the event loop. Changing a user's password, role or
 * disabled flag ends all their sessions: tokens issued before are refused.
 */
@Service
public class UserService {

    static final int MIN_PASSWORD_LENGTH = 10;
    /** bcrypt uses at most 72 bytes of a password; longer ones are refused rather than cut. */
    static final int MAX_PASSWORD_BYTES = 72;
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");

    private final UserRepository users;
    private final TenantService tenants;
    private final AuditLog audit;
    private final BCryptPasswordEncoder encoder = new BCryptPasswordEncoder();
    /**
     * bcrypt gets threads of its own: a flood of logins must not take the pool that file and
     * store I/O run on. Past its queue, a login is refused with 429 rather than waiting.
     */
    private final Scheduler hashing = Schedulers.newBoundedElastic(
            Math.max(2, Runtime.getRuntime().availableProcessors()), 256, "password-hashing");
    /** Compared against when the user name is unknown, so both answers take as long. */
    private final String decoyHash = encoder.encode("decoy password for unknown users");

    public UserService(UserRepository users, TenantService tenants, AuditLog audit) {
        this.users = users;
        this.tenants = tenants;
        this.audit = audit;
    }

    /** Body of {@code POST /v1/users}. */
    public record NewUser(String username, String password, String role, String tenantId) {

        /** The same request for the tenant of this id (the body may have named it). */
        public NewUser inTenant(String id) {
            return new NewUser(username, password, role, id);
        }
    }

    public Mono<UserAccount> create(Principal principal, NewUser request) {
        UserRole role = UserRole.parse(request.role() == null ? UserRole.MEMBER.wireName() : request.role());
        String username = username(request.username());
        requirePassword(request.password());
        String tenantId = role == UserRole.SYSTEM_ADMIN ? null
                : request.tenantId() != null ? request.tenantId() : principal.tenantId();
        Mono<Void> tenantCheck;
        if (role == UserRole.SYSTEM_ADMIN) {
            Authorizer.requireSystem(principal);
            if (request.tenantId() != null) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "A system admin belongs to no tenant; omit 'tenantId'.");
            }
            tenantCheck = Mono.empty();
        } else {
            if (tenantId == null) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "Name the user's tenant with 'tenantId'.");
            }
            Authorizer.requireTenantAdmin(principal, tenantId);
            tenantCheck = tenants.get(tenantId).then();
        }
        return tenantCheck
                .then(hash(request.password()))
                .flatMap(hash -> {
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                    return users.insert(new UserAccount(Ids.newId(), username, role.wireName(), tenantId, now, false, 0, hash));
                })
                .flatMap(user -> audit.record(principal, tenantId, AuditEventType.USER_CREATED, "user:" + user.id(),
                        Map.of("username", user.username(), "role", user.role())).thenReturn(user));
    }

    /** Every user for system principals (or one tenant's with {@code tenantId}); a tenant admin's own tenant's. */
    public Flux<UserAccount> list(Principal principal, String tenantId) {
        if (principal.system()) {
            return users.find(tenantId);
        }
        Authorizer.requireTenantAdmin(principal, principal.tenantId());
        return users.find(principal.tenantId());
    }

    public Mono<UserAccount> get(Principal principal, String id) {
        return visible(principal, id, false);
    }

    /**
     * Applies {@code password}, {@code role} (tenant-admin/member) and {@code disabled}; absent
     * fields stay. Users may change their own password, proving it with {@code currentPassword}
     * (a stolen access token alone cannot take an account over).
     */
    public Mono<UserAccount> update(Principal principal, String id, Map<String, Object> patch) {
        for (String field : patch.keySet()) {
            if (!Set.of("password", "currentPassword", "role", "disabled").contains(field)) {
                return Mono.error(new GranaryException(ErrorCode.INVALID_JSON, "Unknown field '" + field + "'."));
            }
        }
        boolean self = id.equals(userIdOf(principal));
        if (self && patch.containsKey("password")) {
            requirePassword(text(patch.get("password"), "password")); // a bad new one is a 400 before anything else
            Object current = patch.get("currentPassword");
            return find(id).flatMap(user -> checkPassword(user.username(), current instanceof String text ? text : null))
                    .switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.INVALID_CREDENTIALS,
                            "Changing your own password needs the current one in 'currentPassword'.")))
                    .flatMap(user -> apply(principal, id, patch, true));
        }
        if (patch.containsKey("currentPassword")) {
            return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "'currentPassword' is for changing your own password."));
        }
        return apply(principal, id, patch, false);
    }

    private Mono<UserAccount> apply(Principal principal, String id, Map<String, Object> patch, boolean self) {
        boolean passwordOnly = patch.keySet().stream().allMatch(f -> f.equals("password") || f.equals("currentPassword"));
        return visible(principal, id, self && passwordOnly).flatMap(user -> {
            String role = user.role();
            if (patch.containsKey("role")) {
                UserRole wanted = UserRole.parse(text(patch.get("role"), "role"));
                if ((wanted == UserRole.SYSTEM_ADMIN) != (user.tenantId() == null)) {
                    return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST,
                            "A tenant's user cannot become a system admin, nor a system admin a tenant's user."));
                }
                role = wanted.wireName();
            }
            boolean disabled = user.disabled();
            if (patch.containsKey("disabled")) {
                if (!(patch.get("disabled") instanceof Boolean value)) {
                    return Mono.error(new GranaryException(ErrorCode.INVALID_REQUEST, "'disabled' must be true or false."));
                }
                disabled = value;
            }
            String newRole = role;
            boolean newDisabled = disabled;
            Mono<String> hash = patch.containsKey("password")
                    ? Mono.fromCallable(() -> text(patch.get("password"), "password")).doOnNext(UserService::requirePassword).flatMap(this::hash)
                    : Mono.just(user.passwordHash());
            return hash.flatMap(h -> users.replace(user.changed(newRole, newDisabled, h), user.sessionVersion()))
                    // Every change bumps the version: a change that came in while this one was
                    // hashing must not be silently overwritten (a disable undone, say).
                    .switchIfEmpty(Mono.defer(() -> find(id).flatMap(current -> Mono.<UserAccount>error(new GranaryException(
                            ErrorCode.USER_CHANGED, "The user was changed meanwhile; read it and try again.")))))
                    .switchIfEmpty(Mono.error(() -> notFound(id)))
                    .flatMap(updated -> audit.record(principal, updated.tenantId(), AuditEventType.USER_UPDATED,
                            "user:" + id, Map.of("fields", String.join(",", fieldsChanged(patch))))
                            .thenReturn(updated));
        });
    }

    public Mono<Void> delete(Principal principal, String id) {
        return visible(principal, id, false)
                .flatMap(user -> users.delete(id).then(audit.record(principal, user.tenantId(), AuditEventType.USER_DELETED,
                        "user:" + id, Map.of("username", user.username()))));
    }

    /**
     * The enabled user with that name and password, or empty. Takes about as long for an
     * unknown name as for a wrong password.
     */
    public Mono<UserAccount> checkPassword(String username, String password) {
        if (username == null || password == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            return Mono.empty();
        }
        return users.findByUsername(username.strip().toLowerCase(Locale.ROOT))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(found -> Mono.fromCallable(() -> encoder.matches(password,
                                found.map(UserAccount::passwordHash).orElse(decoyHash)))
                        .subscribeOn(hashing)
                        .onErrorMap(RejectedExecutionException.class, UserService::busy)
                        .flatMap(matches -> matches && found.isPresent() && !found.get().disabled()
                                ? Mono.just(found.get()) : Mono.empty()));
    }

    /** The user, when it exists; no authorization (for token checks). */
    public Mono<UserAccount> find(String id) {
        return Ids.isId(id) ? users.findById(id) : Mono.empty();
    }

    /**
     * Whether the user exists, is enabled and may act in {@code tenantId}: belongs to it, or is
     * a system admin (for signed URLs a user issued).
     */
    public Mono<Boolean> isActive(String id, String tenantId) {
        return find(id).map(user -> !user.disabled() && (user.tenantId() == null || tenantId.equals(user.tenantId())))
                .defaultIfEmpty(false);
    }

    /** The user named by {@code id} if {@code principal} may manage it (or, with {@code self}, is it). */
    private Mono<UserAccount> visible(Principal principal, String id, boolean self) {
        return find(id)
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .map(user -> {
                    if (self && id.equals(userIdOf(principal))) {
                        return user;
                    }
                    if (user.tenantId() == null) {
                        if (!principal.system()) {
                            throw notFound(id); // system admins do not exist for tenant callers
                        }
                        return user;
                    }
                    try {
                        Authorizer.requireTenantAdmin(principal, user.tenantId());
                    } catch (GranaryException e) {
                        if (e.code() == ErrorCode.TENANT_NOT_FOUND) {
                            throw notFound(id); // another tenant's users do not exist for this caller
                        }
                        throw e;
                    }
                    return user;
                });
    }

    private static TreeSet<String> fieldsChanged(Map<String, Object> patch) {
        TreeSet<String> fields = new TreeSet<>(patch.keySet());
        fields.remove("currentPassword");
        return fields;
    }

    private static String userIdOf(Principal principal) {
        if (principal instanceof Principal.User user) {
            return user.identity().userId();
        }
        return principal instanceof Principal.SystemAdmin admin ? admin.identity().userId() : null;
    }

    private Mono<String> hash(String password) {
        return Mono.fromCallable(() -> encoder.encode(password)).subscribeOn(hashing)
                .onErrorMap(RejectedExecutionException.class, UserService::busy);
    }

    private static String username(String value) {
        String name = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (!USERNAME.matcher(name).matches()) {
            throw new GranaryException(ErrorCode.INVALID_NAME,
                    "'username' must be 1-64 characters of a-z, 0-9, '.', '_', '@' and '-', starting with a letter or digit.");
        }
        return name;
    }

    static void requirePassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH
                || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'password' must have at least " + MIN_PASSWORD_LENGTH
                    + " characters and at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8.");
        }
    }

    private static String text(Object value, String field) {
        if (value instanceof String text) {
            return text;
        }
        throw new GranaryException(ErrorCode.INVALID_REQUEST, "'" + field + "' must be a string.");
    }

    private static GranaryException busy(Throwable error) {
        return new GranaryException(ErrorCode.RATE_LIMITED, "Too many password checks at once; retry shortly.",
                Map.of("Retry-After", "1"));
    }

    @PreDestroy
    void stop() {
        hashing.dispose();
    }

    private static GranaryException notFound(String id) {
        return new GranaryException(ErrorCode.USER_NOT_FOUND, "No user with id '" + id + "'.");
    }
}
