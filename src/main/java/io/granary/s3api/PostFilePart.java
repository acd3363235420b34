package io.granary.s3api;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The events of a POST form's file part as the buffers the store reads, at the store's pace. When
 * the store stops before the part's end (it refused the upload) or never starts (the form was
 * refused first), the rest of the part is still read and each buffer released: the part's events
 * come in a Reactor window, and a window cancelled mid-part keeps the events that still arrive for
 * it in a queue nobody drains, so their buffers would never be released.
 */
final class PostFilePart extends BaseSubscriber<PartEvent> {

    private final Sinks.Empty<Void> ended = Sinks.empty();
    private volatile FluxSink<DataBuffer> sink;
    private volatile boolean draining;

    /** The part's bytes; read once. */
    Flux<DataBuffer> body() {
        return Flux.create(created -> {
            sink = created;
            created.onRequest(this::request);
            created.onCancel(this::drain);
        });
    }

    /** Reads the rest of the part, releasing it; the store, if it reads, gets nothing more. */
    void drain() {
        draining = true;
        request(Long.MAX_VALUE);
    }

    /** Completes when the part has been read to its end (or the form's body failed). */
    Mono<Void> ended() {
        return ended.asMono().onErrorResume(error -> Mono.empty());
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
        // Nothing until the store asks, or the part is drained.
    }

    @Override
    protected void hookOnNext(PartEvent event) {
        FluxSink<DataBuffer> reader = sink;
        if (draining || reader == null) {
            release(event);
        } else {
            reader.next(event.content());
        }
    }

    @Override
    protected void hookOnComplete() {
        FluxSink<DataBuffer> reader = sink;
        if (reader != null) {
            reader.complete();
        }
        ended.tryEmitEmpty();
    }

    @Override
    protected void hookOnError(Throwable error) {
        FluxSink<DataBuffer> reader = sink;
        if (reader != null) {
            reader.error(error);
        }
        ended.tryEmitError(error);
    }

    /** A part event's buffer; a form field's is a fresh copy of its value, nothing to release. */
    static void release(PartEvent event) {
        if (!(event instanceof FormPartEvent)) {
            DataBufferUtils.release(event.content());
        }
    }
}
