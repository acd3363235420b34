package io.granary.common;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.regex.Pattern;

/** Naming rules for tenants, keys and buckets, with the errors that name the broken rule. */
public final class Names {

    private static final Pattern TENANT = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private Names() {
    }

    /**
     * 1–63 characters of lowercase letters, digits and inner hyphens, and not shaped like an id
     * (24 hex digits): routes take a tenant's name wherever they take its id, so the two must
     * never be confused.
     */
    public static void requireTenantName(String name) {
        if (name == null || !TENANT.matcher(name).matches()) {
            throw new GranaryException(ErrorCode.INVALID_NAME,
                    "Tenant names are 1-63 lowercase letters, digits and inner hyphens.");
        }
        if (Ids.isId(name)) {
            throw new GranaryException(ErrorCode.INVALID_NAME,
                    "A tenant name may not be 24 hexadecimal characters: that is the shape of a tenant id.");
        }
    }

    /** A free-form label (key names): 1–128 printable characters. */
    public static void requireLabel(String name, String what) {
        if (name == null || name.isBlank() || name.length() > 128 || name.chars().anyMatch(Character::isISOControl)) {
            throw new GranaryException(ErrorCode.INVALID_NAME, what + " must be 1-128 printable characters.");
        }
    }

    /**
     * S3 bucket-naming rules: 3–63 characters of lowercase letters, digits, dots and hyphens,
     * starting and ending with a letter or digit, no adjacent dots, not shaped like an IP address,
     * none of the reserved prefixes and suffixes.
     */
    public static void requireBucketName(String name) {
        String rule = bucketNameProblem(name);
        if (rule != null) {
            throw new GranaryException(ErrorCode.INVALID_BUCKET_NAME, "Invalid bucket name: " + rule + ".");
        }
    }

    private static String bucketNameProblem(String name) {
        if (name == null || name.length() < 3 || name.length() > 63) {
            return "it must be 3 to 63 characters long";
        }
        if (!BUCKET.matcher(name).matches()) {
            return "use lowercase letters, digits, dots and hyphens, and start and end with a letter or digit";
        }
        if (name.contains("..") || name.contains(".-") || name.contains("-.")) {
            return "dots may not be adjacent to dots or hyphens";
        }
        if (IP_ADDRESS.matcher(name).matches()) {
            return "it may not look like an IP address";
        }
        if (name.startsWith("xn--") || name.startsWith("sthree-") || name.endsWith("-s3alias") || name.endsWith("--ol-s3")) {
            return "it uses a reserved prefix or suffix";
        }
        return null;
    }
}
