package io.granary.image;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.granary.bucket.Bucket;
import io.granary.object.FoundObject;
import io.granary.object.HotVariants;
import io.granary.object.StoredObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Kept renditions on the hot read path: a query made only of a transform's parameters or a
 * preset, in plain text (no escapes: those and every other route parameter are left to
 * {@link RenditionHandler}, which decodes them as WebFlux does). Answers exactly what that
 * handler answers for a rendition already made; one not made yet goes to it to be made.
 */
@Component
class HotRenditions implements HotVariants {

    /**
     * Queries already read, with the {@code Accept} they were read for ({@code format=auto} and
     * presets depend on it): the same few URLs come from the same few browsers over and over, and
     * reading a query costs more than the lookup of the kept rendition. Bounded, so that a stream
     * of distinct queries only evicts; refusals are not kept (they throw).
     */
    private final Cache<AskedQuery, Optional<Function<Bucket, RenditionSpec>>> asked =
            Caffeine.newBuilder().maximumSize(1_000).build();
    private final RenditionService renditions;

    HotRenditions(RenditionService renditions) {
        this.renditions = renditions;
    }

    @Override
    public boolean claims(String rawQuery) {
        if (rawQuery.isEmpty() || rawQuery.indexOf('%') >= 0 || rawQuery.indexOf('+') >= 0) {
            return false;
        }
        for (String parameter : rawQuery.split("&", -1)) {
            int equals = parameter.indexOf('=');
            // A name without a value is left to the full path's decoding, as escapes are.
            if (equals < 0) {
                return false;
            }
            String name = parameter.substring(0, equals);
            if (!RenditionSpec.PARAMETERS.contains(name) && !Presets.PARAMETER.equals(name)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Mono<Variant> variant(FoundObject found, String rawQuery, String accept) {
        return Mono.defer(() -> {
            Optional<Function<Bucket, RenditionSpec>> query = asked.get(new AskedQuery(rawQuery, accept),
                    key -> RenditionQuery.of(parameters(rawQuery), accept));
            if (query.isEmpty()) {
                return Mono.empty();
            }
            RenditionSpec spec = query.get().apply(found.bucket());
            StoredObject object = found.object();
            String cacheControl = object.cacheControl() != null ? object.cacheControl() : found.bucket().cacheControl();
            return renditions.kept(found, spec).map(rendition -> new Variant(rendition.size(),
                    headers -> RenditionHeaders.describe(headers, found, rendition, spec, cacheControl, null),
                    Mono.defer(() -> renditions.open(rendition))));
        });
    }

    /** A query {@link #claims} accepted, as names and values (no escapes to decode). */
    private static Map<String, List<String>> parameters(String rawQuery) {
        Map<String, List<String>> parameters = new HashMap<>();
        for (String parameter : rawQuery.split("&", -1)) {
            int equals = parameter.indexOf('=');
            String name = parameter.substring(0, equals);
            String value = parameter.substring(equals + 1);
            parameters.computeIfAbsent(name, absent -> new ArrayList<>(1)).add(value);
        }
        return parameters;
    }

    /** A query as read: its raw text and the request's {@code Accept} ({@code null} without one). */
    private record AskedQuery(String rawQuery, String accept) {
    }
}
