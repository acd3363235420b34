package io.granary.lease;

/** A run was refused because another run holds the lease; {@link #holder()} says since when. */
public class LeaseHeldException extends RuntimeException {

    private final Lease holder;

    public LeaseHeldException(Lease holder) {
        super("the lease '" + holder.name() + "' is held since " + holder.since());
        this.holder = holder;
    }

    /** The lease as it was found held (its {@code since} may be {@code null} if it was freed meanwhile). */
    public Lease holder() {
        return holder;
    }
}
