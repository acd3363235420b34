package io.granary.image;

import io.granary.object.DerivedBlobs;
import io.granary.object.StoredObject;
import io.granary.storage.BlobStore;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Deletes a version's renditions, blob then record, when the version's own bytes go. */
@Component
class RetiredRenditions implements DerivedBlobs {

    private final RenditionRepository renditions;
    private final BlobStore blobs;

    RetiredRenditions(RenditionRepository renditions, BlobStore blobs) {
        this.renditions = renditions;
        this.blobs = blobs;
    }

    @Override
    public Mono<Void> versionRetired(StoredObject version) {
        if (!ImageTypes.renderable(version)) {
            return Mono.empty(); // nothing can have been made of it: no query on every overwrite and delete
        }
        return renditions.findBySource(version.blob())
                .concatMap(rendition -> blobs.delete(rendition.location()).then(renditions.delete(rendition.id())))
                .then();
    }
}
