package io.granary.auth;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The OIDC provider the dashboard offers a login with ({@code granary.ui.oidc.*},
 * {@code GRANARY_UI_OIDC_*}): the browser runs the authorization-code flow with PKCE against it
 * as a public client, then sends the access token it got to {@code /v1} as any bearer JWT. That
 * token is accepted only if the issuer is trusted the usual way ({@code granary.auth.issuers},
 * or a tenant's registered issuer); this setting only tells the dashboard where to log in.
 *
 * @param issuer the provider's issuer URL (its {@code iss}); its endpoints are read from
 *     {@code <issuer>/.well-known/openid-configuration}. Unset: no OIDC login is offered
 * @param clientId the client id registered at the provider for the dashboard (a public client
 *     with PKCE, redirect URI under Granary's {@code /ui}); required with {@code issuer}
 * @param scopes the scopes the dashboard asks for, space-separated
 * @param name what the dashboard calls the provider on its login button; default: the issuer's host
 */
@ConfigurationProperties("granary.ui.oidc")
public record UiOidcProperties(
        URI issuer,
        String clientId,
        @DefaultValue("openid profile email") String scopes,
        String name) {

    public UiOidcProperties {
        boolean hasClient = clientId != null && !clientId.isBlank();
        if ((issuer != null) != hasClient) {
            throw new IllegalArgumentException("granary.ui.oidc.issuer and granary.ui.oidc.client-id are set together, or neither");
        }
        if (issuer != null && (Origins.of(issuer) == null || issuer.getRawQuery() != null || issuer.getRawFragment() != null
                || issuer.getRawUserInfo() != null)) {
            throw new IllegalArgumentException("granary.ui.oidc.issuer must be an http(s) URL without user info, query or fragment: " + issuer);
        }
        if (scopes.isBlank()) {
            throw new IllegalArgumentException("granary.ui.oidc.scopes must not be blank");
        }
    }

    /** Whether an OIDC login is configured at all. */
    public boolean configured() {
        return issuer != null;
    }

    /** The provider's name on the login button. */
    public String displayName() {
        return name != null && !name.isBlank() ? name.strip() : issuer.getHost();
    }
}
