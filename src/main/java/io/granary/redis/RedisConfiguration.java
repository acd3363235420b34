package io.granary.redis;

import io.granary.config.GranaryProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Creates the {@link SharedRedis} bean when {@code granary.redis.url} ({@code GRANARY_REDIS_URL})
 * is set and not blank. Without it there is no Redis at all: no connection, no health check, and
 * every feature keeps its state in-process.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(RedisConfiguration.UrlSet.class)
class RedisConfiguration {

    @Bean(destroyMethod = "close")
    LettuceSharedRedis sharedRedis(GranaryProperties properties) {
        GranaryProperties.Redis redis = properties.redis();
        return new LettuceSharedRedis(redis.url(), redis.timeout(), redis.retryInterval());
    }

    /** A property condition that also treats an empty value ({@code GRANARY_REDIS_URL=}) as unset. */
    static class UrlSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return StringUtils.hasText(context.getEnvironment().getProperty("granary.redis.url"));
        }
    }
}
