package io.granary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * {@code granary.signed-urls.max-ttl}: bound from the environment, 7 days by default, refused at
 * start-up outside 60 s to 30 days.
 */
class SignedUrlsSettingTest {

    private static GranaryProperties bind(Map<String, Object> environment) {
        StandardEnvironment env = new StandardEnvironment();
        // In place of the real environment, under its name: only then do Spring's relaxed rules map GRANARY_* names.
        env.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment));
        return new Binder(ConfigurationPropertySources.get(env)).bindOrCreate("granary", GranaryProperties.class);
    }

    @Test
    void sevenDaysByDefaultAndSetByItsEnvironmentVariable() {
        assertThat(bind(Map.of()).signedUrls().maxTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(bind(Map.of("GRANARY_SIGNED_URLS_MAX_TTL", "2d")).signedUrls().maxTtl()).isEqualTo(Duration.ofDays(2));
        assertThat(bind(Map.of("GRANARY_SIGNED_URLS_MAX_TTL", "60s")).signedUrls().maxTtl()).isEqualTo(Duration.ofMinutes(1));
        assertThat(bind(Map.of("GRANARY_SIGNED_URLS_MAX_TTL", "30d")).signedUrls().maxTtl()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void tooShortOrTooLongStopsTheStart() {
        for (String value : new String[] {"59s", "31d", "7000d"}) {
            assertThatThrownBy(() -> bind(Map.of("GRANARY_SIGNED_URLS_MAX_TTL", value)))
                    .isInstanceOf(BindException.class)
                    .rootCause().hasMessageContaining("granary.signed-urls.max-ttl must be from 60s to 30d");
        }
    }
}
