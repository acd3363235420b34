package io.granary.object;

import io.granary.storage.BlobContent;
import java.util.function.Consumer;
import org.springframework.http.HttpHeaders;
import reactor.core.publisher.Mono;

/**
 * Variants of objects another feature serves (renditions), answered on the hot read path when
 * they are already made: a {@code GET} or {@code HEAD} with an API key whose query asks for one.
 *
 * <p>The contract mirrors the full path's: whatever a variant answers here must be exactly what
 * its WebFlux handler answers for the same request. Anything an implementation does not answer
 * here (a variant not made yet, a query it does not fully understand, any refusal) it leaves to
 * the full path by answering empty or failing; the full path then evaluates the request again
 * and renders whatever refusal applies.
 */
public interface HotVariants {

    /**
     * Whether a request with this raw query (after the {@code ?}, undecoded) may be one of these
     * variants. Called on the event loop for every eligible request with a query: no lookups.
     */
    boolean claims(String rawQuery);

    /**
     * The kept variant of the object {@code found} (the caller may read it) the query asks for;
     * empty when it is not kept yet or the full path must answer.
     *
     * @param accept the request's {@code Accept} header, or {@code null}
     */
    Mono<Variant> variant(FoundObject found, String rawQuery, String accept);

    /**
     * A kept variant: its length, the headers that describe it, and its bytes on demand (only a
     * small one's cached bytes are sent here; the full path streams the others).
     */
    record Variant(long size, Consumer<HttpHeaders> headers, Mono<BlobContent> content) {
    }
}
