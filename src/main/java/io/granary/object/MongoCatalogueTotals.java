package io.granary.object;

import io.granary.common.MetadataErrors;
import io.granary.usage.BucketTotal;
import io.granary.usage.CatalogueTotals;
import io.granary.usage.Figures;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.aggregation.Aggregation;
import org.springframework.data.mongodb.core.aggregation.AggregationOperation;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;

/**
 * Sums the {@code objects} collection per bucket with one aggregation ({@code $match} on the
 * tenant when given, {@code $group} by tenant and bucket). On MongoDB the tenant's match uses
 * the unique index's prefix; the embedded server scans the collection once either way.
 */
@Repository
class MongoCatalogueTotals implements CatalogueTotals {

    private final ReactiveMongoTemplate mongo;

    MongoCatalogueTotals(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Flux<BucketTotal> perBucket(String tenantId) {
        List<AggregationOperation> stages = new ArrayList<>();
        if (tenantId != null) {
            stages.add(Aggregation.match(Criteria.where("tenantId").is(tenantId)));
        }
        stages.add(Aggregation.group("tenantId", "bucketId").sum("size").as("bytes").count().as("objects"));
        return mongo.aggregate(Aggregation.newAggregation(stages), StoredObject.class, Document.class)
                .map(row -> {
                    Document id = row.get("_id", Document.class);
                    return new BucketTotal(id.getString("tenantId"), id.getString("bucketId"),
                            new Figures(number(row.get("bytes")), number(row.get("objects"))));
                })
                .onErrorMap(MetadataErrors::translate);
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
