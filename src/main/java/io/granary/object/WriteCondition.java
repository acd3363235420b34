package io.granary.object;

import java.util.List;

/** The precondition a write must meet at the moment it becomes visible. */
public sealed interface WriteCondition {

    /** Create or replace unconditionally. */
    record None() implements WriteCondition {
    }

    /** {@code If-None-Match: *}: only if no object exists under the key. */
    record Absent() implements WriteCondition {
    }

    /** {@code If-Match}: only if an object exists whose ETag (unquoted hex) is one of these; empty list = any. */
    record Matching(List<String> etags) implements WriteCondition {
    }
}
