package io.granary.image;

import io.granary.bucket.ImagePreset;
import io.granary.web.Requests;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * HTTP for {@code /v1/buckets/{bucket}/image-presets}: read (any permission on the bucket),
 * replace and remove (admin), through {@link ImagePresetService}.
 */
@Component
public class ImagePresetHandler {

    /** Body of the {@code PUT} and answer of the {@code GET}. */
    record PresetList(List<ImagePreset> presets) {
    }

    private final ImagePresetService presets;

    ImagePresetHandler(ImagePresetService presets) {
        this.presets = presets;
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        return presets.presets(Requests.principal(request), request.pathVariable("bucket"))
                .flatMap(found -> ServerResponse.ok().bodyValue(new PresetList(found)));
    }

    public Mono<ServerResponse> replace(ServerRequest request) {
        return Requests.json(request, PresetList.class)
                .flatMap(body -> presets.replace(Requests.principal(request), request.pathVariable("bucket"),
                        body.presets() == null ? List.of() : body.presets()))
                .then(ServerResponse.noContent().build());
    }

    public Mono<ServerResponse> delete(ServerRequest request) {
        return presets.replace(Requests.principal(request), request.pathVariable("bucket"), List.of())
                .then(ServerResponse.noContent().build());
    }
}
