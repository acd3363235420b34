package io.granary.usage;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.ArrayList;
import java.util.List;

/**
 * The 413 {@code quota_exceeded} of a write, saying which quota (bytes or objects, of which
 * bucket or of the tenant), its limit, the usage and what the write would add, so the caller
 * knows how much room to free. The usage is read after the refusal, so under concurrent
 * writes it can differ a little from the figure the refusal was decided on.
 *
 * @param whose {@code bucket 'photos'} or {@code tenant 'acme'}
 */
record QuotaRefusal(String whose, long usedBytes, long usedObjects, long addedBytes, long addedObjects,
                    Long quotaBytes, Long quotaObjects) {

    static String bucket(String name) {
        return "bucket '" + name + "'";
    }

    static String tenant(String name) {
        return "tenant '" + name + "'";
    }

    GranaryException exception() {
        return new GranaryException(ErrorCode.QUOTA_EXCEEDED, detail());
    }

    String detail() {
        List<String> broken = new ArrayList<>();
        if (quotaBytes != null && addedBytes > 0 && usedBytes + addedBytes > quotaBytes) {
            broken.add("The byte quota of " + whose + " would be exceeded: it allows " + quotaBytes + " bytes, "
                    + usedBytes + " are in use and this write adds " + addedBytes + ".");
        }
        if (quotaObjects != null && addedObjects > 0 && usedObjects + addedObjects > quotaObjects) {
            broken.add("The object quota of " + whose + " would be exceeded: it allows " + quotaObjects + " objects and "
                    + usedObjects + " are stored.");
        }
        if (broken.isEmpty()) {
            // Room appeared between the refusal and this reading (a concurrent delete).
            return "The quota of " + whose + " would be exceeded (" + limits() + "; " + usedBytes + " bytes and "
                    + usedObjects + " objects in use); retry.";
        }
        return String.join(" ", broken);
    }

    private String limits() {
        List<String> limits = new ArrayList<>();
        if (quotaBytes != null) {
            limits.add(quotaBytes + " bytes");
        }
        if (quotaObjects != null) {
            limits.add(quotaObjects + " objects");
        }
        return "it allows " + (limits.isEmpty() ? "no more" : String.join(" and ", limits));
    }
}
