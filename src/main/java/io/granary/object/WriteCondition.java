package io.granary.object;

import java.util.List;

/** The precondition a write must meet at the moment it becomes visible. */
public sealed interface WriteCondition {

    /** Whether the condition holds when the current object has {@code etag} ({@code null}: no object). */
    boolean holdsFor(String etag);

    /**
     * Why the condition failed for {@code key}, for the 412's detail: {@code etag} is the current
     * object's (unquoted), {@code null} when there is none.
     */
    String failure(String key, String etag);

    /** Create or replace unconditionally. */
    record None() implements WriteCondition {
        @Override
        public boolean holdsFor(String etag) {
            return true;
        }

        @Override
        public String failure(String key, String etag) {
            return "The write to '" + key + "' had no precondition.";
        }
    }

    /** {@code If-None-Match: *}: only if no object exists under the key. */
    record Absent() implements WriteCondition {
        @Override
        public boolean holdsFor(String etag) {
            return etag == null;
        }

        @Override
        public String failure(String key, String etag) {
            return "An object already exists under '" + key + "' (ETag \"" + etag
                    + "\"); If-None-Match: * stores only when no object does. Drop the header to replace it.";
        }
    }

    /** {@code If-Match}: only if an object exists whose ETag (unquoted hex) is one of these; empty list = any. */
    record Matching(List<String> etags) implements WriteCondition {
        @Override
        public boolean holdsFor(String etag) {
            return etag != null && (etags.isEmpty() || etags.contains(etag));
        }

        @Override
        public String failure(String key, String etag) {
            if (etag == null) {
                return "No object exists under '" + key + "'; If-Match stores only over an existing object.";
            }
            return "The object under '" + key + "' has ETag \"" + etag + "\", which If-Match does not name.";
        }
    }
}
