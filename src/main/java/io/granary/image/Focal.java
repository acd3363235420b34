package io.granary.image;

/**
 * The point {@link Fit#COVER} keeps in frame, in percent of the (oriented) source's width and
 * height: {@code (0, 0)} is the top-left corner, {@code (50, 50)} the centre (the default).
 */
public record Focal(int x, int y) {

    /** The centre, the default. */
    public static final Focal CENTRE = new Focal(50, 50);

    public Focal {
        if (x < 0 || x > 100 || y < 0 || y > 100) {
            throw new IllegalArgumentException("focal coordinates are percentages from 0 to 100: " + x + "," + y);
        }
    }
}
