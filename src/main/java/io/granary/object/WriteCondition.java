package io.granary.object;

import java.util.List;

/** The precondition a write must meet at the moment it becomes visible. */
public sealed interface WriteCondition {

    /** Whether the condition holds when the current object has {@code etag} ({@code null}: no object). */
    boolean holdsFor(String etag);

    /** Create or replace unconditionally. */
    record None() implements WriteCondition {
        @Override
        public boolean holdsFor(String etag) {
            return true;
        }
    }

    /** {@code If-None-Match: *}: only if no object exists under the key. */
    record Absent() implements WriteCondition {
        @Override
        public boolean holdsFor(String etag) {
            return etag == null;
        }
    }

    /** {@code If-Match}: only if an object exists whose ETag (unquoted hex) is one of these; empty list = any. */
    record Matching(List<String> etags) implements WriteCondition {
        @Override
        public boolean holdsFor(String etag) {
            return etag != null && (etags.isEmpty() || etags.contains(etag));
        }
    }
}
