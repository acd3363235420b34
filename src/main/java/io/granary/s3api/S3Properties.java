package io.granary.s3api;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The S3 API's listener ({@code granary.s3.*}, {@code GRANARY_S3_*}).
 *
 * @param enabled whether the listener starts ({@code GRANARY_S3_ENABLED=false} turns it off)
 * @param port its port; {@code 0} picks a free one
 * @param region the region Granary names itself as (GetBucketLocation); signatures of any region are accepted
 * @param domain the domain of virtual-host addressing ({@code GRANARY_S3_DOMAIN}, e.g. {@code s3.example.com}): a
 *     request to {@code <bucket>.<domain>} addresses that bucket; {@code null} (the default) for path style only
 */
@ConfigurationProperties("granary.s3")
public record S3Properties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("9000") int port,
        @DefaultValue("us-east-1") String region,
        String domain) {
}
