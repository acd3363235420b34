package io.granary.upload;

/**
 * A part as a client names it when completing: its number and the ETag it was answered with
 * (quotes optional).
 */
public record PartRef(int n, String etag) {

    /** The ETag without surrounding quotes. */
    public String bareEtag() {
        return etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1) : etag;
    }
}
