package io.granary.lease;

import java.time.Instant;

/**
 * The state of one named lease: who holds it and until when, and when the last run that
 * asked for it to be recorded finished.
 *
 * @param name the lease's name, e.g. {@code usage-recount}
 * @param owner the run holding it, or {@code null} when it is free
 * @param since when the current holder took it, or {@code null} when it is free
 * @param until when the current hold lapses unless renewed, or {@code null} when it is free
 * @param lastFinishedAt when the last recorded run finished, or {@code null} for never
 */
public record Lease(String name, String owner, Instant since, Instant until, Instant lastFinishedAt) {
}
