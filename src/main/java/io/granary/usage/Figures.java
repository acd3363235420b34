package io.granary.usage;

/**
 * A pair of usage figures: bytes and a number of objects.
 *
 * @param bytes a number of bytes
 * @param objects a number of objects
 */
public record Figures(long bytes, long objects) {

    public static final Figures ZERO = new Figures(0, 0);

    /** The figures of a counter as {@link UsageRepository#read} gives them, {@code [bytes, objects]}. */
    public static Figures of(long[] values) {
        return new Figures(values[0], values[1]);
    }

    public Figures plus(Figures other) {
        return new Figures(bytes + other.bytes, objects + other.objects);
    }

    public Figures minus(Figures other) {
        return new Figures(bytes - other.bytes, objects - other.objects);
    }

    @Override
    public String toString() {
        return bytes + " bytes / " + objects + " objects";
    }
}
