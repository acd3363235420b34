package io.granary.upload;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.MultipartStore;
import io.granary.storage.StoredPart;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The parts of {@link MultipartService}'s uploads: writing one into the store and recording it
 * with its checksum ({@link #write}), and which parts count ({@link #current}). The caller has
 * checked who asks and that the upload is open.
 */
final class MultipartParts {

    private final MultipartUploadRepository repository;
    private final MultipartStore store;

    MultipartParts(MultipartUploadRepository repository, MultipartStore store) {
        this.repository = repository;
        this.store = store;
    }

    /**
     * Streams part {@code n} of {@code size} bytes into the store and records it, with its
     * checksum where the upload has chosen one ({@link ChecksumRules#forPart}, which refuses a
     * part that does not fit before any byte is stored).
     */
    Mono<StoredPart> write(MultipartUpload upload, int n, long size, Flux<DataBuffer> body, PartChecksum sent) {
        ChecksumRules.ForPart checksum = ChecksumRules.forPart(upload.checksum(), sent);
        return store.uploadPart(upload.upload().location(), upload.storeUploadId(), n, checksum.observe(body), size)
                .onErrorMap(error -> error instanceof GranaryException g && g.code() == ErrorCode.UPLOAD_NOT_FOUND,
                        error -> MultipartService.notPending("ended while the part was uploading"))
                // The store has taken the whole body, so its checksum is known (and matched, if sent).
                .flatMap(part -> record(upload, part.withChecksum(checksum.result().get())));
    }

    /** Records a part write; frees the write it replaced, or this one if the upload ended meanwhile. */
    private Mono<StoredPart> record(MultipartUpload upload, StoredPart part) {
        return repository.recordPart(upload.id(), part)
                .flatMap(before -> {
                    StoredPart replaced = before.parts() == null ? null : before.parts().get(Integer.toString(part.number()));
                    return replaced == null || replaced.equals(part) ? Mono.just(part)
                            : store.discardPart(upload.upload().location(), upload.storeUploadId(), replaced)
                                    .onErrorResume(error -> Mono.empty()).thenReturn(part);
                })
                .switchIfEmpty(Mono.defer(() -> store.discardPart(upload.upload().location(), upload.storeUploadId(), part)
                        .onErrorResume(error -> Mono.empty())
                        .then(Mono.error(MultipartService.notPending("ended while the part was uploading")))));
    }

    /** The parts that count, by number: the store's where it tracks them, else the record. */
    Mono<Map<Integer, StoredPart>> current(MultipartUpload upload) {
        Map<Integer, StoredPart> recorded = recorded(upload);
        if (!store.tracksParts()) {
            return Mono.just(recorded);
        }
        // The store knows no checksums: a part has the one recorded for that very write (same ETag) of it.
        return store.listParts(upload.upload().location(), upload.storeUploadId())
                .map(part -> {
                    StoredPart seen = recorded.get(part.number());
                    return seen != null && seen.etag().equals(part.etag()) ? part.withChecksum(seen.checksum()) : part;
                })
                .collectMap(StoredPart::number, Function.identity());
    }

    /** The parts as recorded, by number. */
    static Map<Integer, StoredPart> recorded(MultipartUpload upload) {
        return upload.parts() == null ? Map.of() : upload.parts().values().stream()
                .collect(Collectors.toMap(StoredPart::number, Function.identity()));
    }
}
