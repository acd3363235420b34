package io.granary.security.jwt;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.granary.auth.SessionService;
import io.granary.common.Ids;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.JwtIdentity;
import io.granary.security.Permission;
import io.granary.security.Principal;
import io.granary.tenant.Tenant;
import io.granary.tenant.TenantService;
import io.granary.user.UserAccount;
import io.granary.user.UserRole;
import io.granary.user.UserService;
import java.text.ParseException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Turns a bearer JWT into a {@link Principal}. The token's issuer picks the decoder (an
 * untrusted issuer is refused before any key is fetched); the decoder checks the signature,
 * expiry, issuer and audience; then the claims map to a role:
 * <ul>
 *   <li>the system-admin role: a {@link Principal.SystemAdmin}, or, with
 *       {@code X-Granary-Tenant}, an admin of the named tenant;</li>
 *   <li>the tenant-admin and member roles: a {@link Principal.User} of the tenant the tenant
 *       claim names, or of the registering tenant for a tenant's own issuer (which can never
 *       make system admins, and whose tokens cannot reach other tenants whatever they claim).</li>
 * </ul>
 * Tokens of the embedded issuer also need their user to exist, be enabled, still have that role
 * and not have ended its sessions since the token was issued. Any failure is a 401
 * ({@code invalid_token} or {@code token_expired}); a valid token without a Granary role, or
 * naming a tenant it may not act in, is a 403.
 */
@Component
public class JwtAuthenticator {

    /** Header a system admin names the tenant it acts on with. */
    public static final String TENANT_HEADER = "X-Granary-Tenant";
    private static final Set<Permission> MEMBER = Set.of(Permission.READ, Permission.LIST, Permission.WRITE, Permission.DELETE);
    private static final Set<Permission> ADMIN = Set.of(Permission.ADMIN);

    private final TrustedIssuers issuers;
    private final TenantService tenants;
    private final UserService users;
    private final GranaryProperties.Auth settings;

    JwtAuthenticator(TrustedIssuers issuers, TenantService tenants, UserService users, GranaryProperties properties) {
        this.issuers = issuers;
        this.tenants = tenants;
        this.users = users;
        this.settings = properties.auth();
    }

    /** Whether a bearer credential has the shape of a compact JWS (API keys never do). */
    public static boolean looksLikeJwt(String credential) {
        return credential.startsWith("eyJ") && credential.chars().filter(c -> c == '.').count() == 2;
    }

    /** The principal of {@code token}, acting on {@code tenantHeader} (a tenant name or id) when given. */
    public Mono<Principal> authenticate(String token, String tenantHeader) {
        String iss;
        try {
            JWT parsed = JWTParser.parse(token);
            JWTClaimsSet claims = parsed.getJWTClaimsSet();
            iss = claims == null ? null : claims.getIssuer();
        } catch (ParseException e) {
            return Mono.error(invalid("The bearer token is not a well-formed JWT."));
        }
        if (iss == null) {
            return Mono.error(invalid("The bearer token names no issuer."));
        }
        return issuers.find(iss)
                .switchIfEmpty(Mono.error(() -> invalid("The token's issuer is not trusted.")))
                .flatMap(trust -> trust.decoder().decode(token)
                        .onErrorMap(error -> !(error instanceof GranaryException), JwtAuthenticator::translate)
                        .flatMap(jwt -> principal(jwt, trust, tenantHeader)));
    }

    private Mono<Principal> principal(Jwt jwt, TrustedIssuers.Trust trust, String tenantHeader) {
        Set<String> roles = roles(jwt);
        JwtIdentity identity = new JwtIdentity(jwt.getClaimAsString("iss"), jwt.getSubject(),
                trust.embedded() ? jwt.getSubject() : null,
                trust.embedded() ? jwt.getClaimAsString(SessionService.SESSION_ID_CLAIM) : null);
        Mono<Principal> principal;
        if (trust.tenantId() != null) {
            principal = tenants.get(trust.tenantId())
                    .onErrorMap(e -> e instanceof GranaryException g && g.code() == ErrorCode.TENANT_NOT_FOUND,
                            e -> invalid("The tenant that trusts this issuer is gone."))
                    .flatMap(tenant -> member(tenant, identity, roles, tenantHeader));
        } else if (roles.contains(settings.systemAdminRole())) {
            principal = tenantHeader == null ? Mono.just(new Principal.SystemAdmin(identity))
                    : named(tenantHeader).map(tenant -> new Principal.User(tenant.id(), identity, ADMIN));
        } else {
            Object claim = jwt.getClaims().get(settings.tenantClaim());
            if (!(claim instanceof String tenantName) || tenantName.isBlank()) {
                return Mono.error(forbidden("The token names no tenant in its '" + settings.tenantClaim() + "' claim."));
            }
            principal = tenants.findByName(tenantName)
                    .switchIfEmpty(Mono.error(() -> forbidden("The token's tenant does not exist.")))
                    .flatMap(tenant -> member(tenant, identity, roles, tenantHeader));
        }
        return trust.embedded() ? principal.flatMap(p -> requireCurrentUser(jwt, p)) : principal;
    }

    private Mono<Principal> member(Tenant tenant, JwtIdentity identity, Set<String> roles, String tenantHeader) {
        if (tenantHeader != null && !tenantHeader.equals(tenant.name()) && !tenantHeader.equals(tenant.id())) {
            return Mono.error(forbidden("This token acts in its own tenant only."));
        }
        if (roles.contains(settings.tenantAdminRole())) {
            return Mono.just(new Principal.User(tenant.id(), identity, ADMIN));
        }
        if (roles.contains(settings.memberRole())) {
            return Mono.just(new Principal.User(tenant.id(), identity, MEMBER));
        }
        return Mono.error(forbidden("The token grants no Granary role."));
    }

    private Mono<Tenant> named(String tenantHeader) {
        Mono<Tenant> tenant = Ids.isId(tenantHeader)
                ? tenants.get(tenantHeader).onErrorResume(e -> e instanceof GranaryException g
                        && g.code() == ErrorCode.TENANT_NOT_FOUND, e -> Mono.empty())
                : tenants.findByName(tenantHeader);
        return tenant.switchIfEmpty(Mono.error(() -> new GranaryException(ErrorCode.TENANT_NOT_FOUND,
                "No tenant '" + tenantHeader + "' (from " + TENANT_HEADER + ").")));
    }

    /** An embedded token speaks for its user only while the user is as the token says. */
    private Mono<Principal> requireCurrentUser(Jwt jwt, Principal principal) {
        return users.find(jwt.getSubject())
                .filter(user -> jwt.getClaims().get(SessionService.SESSION_VERSION_CLAIM) instanceof Number version
                        && user.acceptsSession(version.longValue()) && matches(user, principal))
                .switchIfEmpty(Mono.error(() -> invalid("The token's user was changed, disabled or deleted; log in again.")))
                .thenReturn(principal);
    }

    private static boolean matches(UserAccount user, Principal principal) {
        return switch (UserRole.parse(user.role())) {
            case SYSTEM_ADMIN -> principal.system() || principal instanceof Principal.User;
            case TENANT_ADMIN -> principal instanceof Principal.User u && u.tenantId().equals(user.tenantId())
                    && u.permissions().equals(ADMIN);
            case MEMBER -> principal instanceof Principal.User u && u.tenantId().equals(user.tenantId())
                    && u.permissions().equals(MEMBER);
        };
    }

    /**
     * Role values from the roles claim: a list, or a space-separated string; a dotted name
     * reaches nested claims. Scopes count only when the roles claim is set to {@code scope} or
     * {@code scp}: at many identity providers a client may ask for optional scopes, which must
     * not make anyone an admin.
     */
    private Set<String> roles(Jwt jwt) {
        Set<String> roles = new LinkedHashSet<>();
        addValues(roles, claim(jwt.getClaims(), settings.rolesClaim()));
        return roles;
    }

    private static Object claim(Map<String, Object> claims, String name) {
        if (claims.containsKey(name) || !name.contains(".")) {
            return claims.get(name);
        }
        Object value = claims;
        for (String part : name.split("\\.")) {
            if (!(value instanceof Map<?, ?> map)) {
                return null;
            }
            value = map.get(part);
        }
        return value;
    }

    private static void addValues(Set<String> into, Object value) {
        if (value instanceof String text) {
            for (String part : text.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    into.add(part);
                }
            }
        } else if (value instanceof Collection<?> values) {
            values.forEach(v -> {
                if (v instanceof String text) {
                    into.add(text);
                }
            });
        }
    }

    /**
     * The decoder's refusals: a token that fails a check is a 401; keys that cannot be obtained
     * (the issuer is unreachable, or its discovery document does not fit) are the issuer's
     * outage, a 503, never a 500. The decoder reports those as a plain {@link JwtException} or,
     * from its key lookup, an {@link IllegalStateException}.
     */
    private static GranaryException translate(Throwable error) {
        if (error instanceof JwtValidationException validation && validation.getErrors().stream()
                .anyMatch(e -> e.getDescription() != null && e.getDescription().contains("expired"))) {
            return new GranaryException(ErrorCode.TOKEN_EXPIRED, "The bearer token has expired.");
        }
        if (error instanceof BadJwtException) {
            return invalid("The bearer token was refused: " + error.getMessage());
        }
        if (error instanceof JwtException || error instanceof IllegalStateException) {
            return new GranaryException(ErrorCode.ISSUER_UNAVAILABLE, "The token's issuer could not be reached: "
                    + error.getMessage());
        }
        return invalid("The bearer token was refused.");
    }

    private static GranaryException invalid(String message) {
        return new GranaryException(ErrorCode.INVALID_TOKEN, message);
    }

    private static GranaryException forbidden(String message) {
        return new GranaryException(ErrorCode.FORBIDDEN, message);
    }
}
