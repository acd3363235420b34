package io.granary.upload;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.storage.StoredPart;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * S3's multipart rules, checked the same way whatever the store: part numbers 1 to 10,000, at
 * most 5 GiB a part, every part but the last at least the minimum size and (as Cloudflare R2
 * requires) all of one size; and S3's ETag of the result.
 */
final class MultipartRules {

    static final int MAX_PART_NUMBER = 10_000;
    static final long MAX_PART_SIZE = 5L << 30;

    private MultipartRules() {
    }

    static void requirePartNumber(int n) {
        if (n < 1 || n > MAX_PART_NUMBER) {
            throw new GranaryException(ErrorCode.INVALID_PART_NUMBER, "Part numbers go from 1 to 10,000, not " + n + ".");
        }
    }

    /** A part's declared length before any byte is read: 411 without one, 413 above 5 GiB. */
    static long requirePartLength(Long length) {
        if (length == null || length < 0) {
            throw new GranaryException(ErrorCode.LENGTH_REQUIRED, "A part must be sent with its Content-Length.");
        }
        if (length > MAX_PART_SIZE) {
            throw new GranaryException(ErrorCode.PART_TOO_LARGE, "A part may have at most 5 GiB, not " + length + " bytes.");
        }
        return length;
    }

    /** The client's list: not empty, numbers in range and strictly ascending, every ETag given. */
    static void requireList(List<PartRef> refs) {
        if (refs == null || refs.isEmpty()) {
            throw new GranaryException(ErrorCode.INVALID_REQUEST, "'parts' must list the parts to join, at least one.");
        }
        int previous = 0;
        for (PartRef ref : refs) {
            if (ref == null || ref.etag() == null || ref.etag().isBlank()) {
                throw new GranaryException(ErrorCode.INVALID_REQUEST, "Every part needs its 'n' and 'etag'.");
            }
            requirePartNumber(ref.n());
            if (ref.n() <= previous) {
                throw new GranaryException(ErrorCode.INVALID_PART_ORDER,
                        "Parts must be listed in ascending order of part number without repeats; " + ref.n()
                                + " follows " + previous + ".");
            }
            previous = ref.n();
        }
    }

    /**
     * The stored parts the list names, checked against what the store holds ({@code invalid_part})
     * and the size rules.
     */
    static List<StoredPart> choose(List<PartRef> refs, Map<Integer, StoredPart> stored, long minPartSize) {
        List<StoredPart> chosen = new ArrayList<>(refs.size());
        for (PartRef ref : refs) {
            StoredPart part = stored.get(ref.n());
            if (part == null) {
                throw new GranaryException(ErrorCode.INVALID_PART, "Part " + ref.n() + " has not been uploaded.");
            }
            if (!part.etag().equals(ref.bareEtag())) {
                throw new GranaryException(ErrorCode.INVALID_PART, "Part " + ref.n() + " is stored with ETag \""
                        + part.etag() + "\", not " + ref.etag() + ".");
            }
            chosen.add(part);
        }
        long size = chosen.get(0).size();
        for (int i = 0; i < chosen.size(); i++) {
            StoredPart part = chosen.get(i);
            if (part.size() > MAX_PART_SIZE) {
                throw new GranaryException(ErrorCode.PART_TOO_LARGE, "Part " + part.number() + " is larger than 5 GiB.");
            }
            if (i == chosen.size() - 1) {
                break;
            }
            if (part.size() < minPartSize) {
                throw new GranaryException(ErrorCode.PART_TOO_SMALL, "Part " + part.number() + " has " + part.size()
                        + " bytes; every part but the last needs at least " + minPartSize + ".");
            }
            if (part.size() != size) {
                throw new GranaryException(ErrorCode.PART_SIZE_MISMATCH, "Part " + part.number() + " has " + part.size()
                        + " bytes, part " + chosen.get(0).number() + " " + size
                        + "; every part but the last must have the same size.");
            }
        }
        return chosen;
    }

    /** S3's multipart ETag: hex MD5 of the parts' binary MD5s, one after another, then {@code -<count>}. */
    static String etag(List<StoredPart> parts) {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
        for (StoredPart part : parts) {
            // A store whose part ETags are not MD5s (encrypted S3) still yields a stable value.
            md5.update(part.etag().matches("[0-9a-fA-F]{32}") ? HexFormat.of().parseHex(part.etag())
                    : part.etag().getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md5.digest()) + "-" + parts.size();
    }
}
