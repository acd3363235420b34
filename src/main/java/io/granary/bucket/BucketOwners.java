package io.granary.bucket;

import java.util.List;

/** The ids of the tenants that have a bucket of one name. */
public record BucketOwners(List<String> tenantIds) {
}
