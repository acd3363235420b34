package io.granary.s3api;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpHeaders;

/**
 * The fields of an S3 POST form that come before its {@code file} (those after it are ignored,
 * as S3 does), names in lowercase, and what they ask for. Together they may hold at most 20 KiB
 * (S3's limit on a form's fields), so a form never costs more memory than that; a field given
 * twice is refused, since a policy could then allow one value while another is used.
 */
final class PostForm {

    /** S3's bound on the form's fields, the file excepted. */
    static final int MAX_FIELD_BYTES = 20 * 1024;
    /** The canned ACLs a form may name; neither changes anything: visibility is the bucket's. */
    private static final java.util.Set<String> ACLS = java.util.Set.of("private", "public-read");

    private final Map<String, String> fields = new LinkedHashMap<>();
    private int bytes;

    void add(String name, String value) {
        bytes += name.length() + value.length();
        if (bytes > MAX_FIELD_BYTES) {
            throw new GranaryException(ErrorCode.INVALID_POST_FORM, "The form's fields before the file take more than "
                    + MAX_FIELD_BYTES + " bytes (20 KiB), the most S3 allows.");
        }
        String field = name.toLowerCase(Locale.ROOT);
        if (fields.putIfAbsent(field, value) != null) {
            throw new GranaryException(ErrorCode.INVALID_POST_FORM, "The form gives the field '" + name + "' more than once.");
        }
    }

    /** The fields by lowercase name, as the policy is checked against. */
    Map<String, String> fields() {
        return Collections.unmodifiableMap(fields);
    }

    String get(String name) {
        return fields.get(name);
    }

    /** A field the form must have; S3's message when it does not. */
    String required(String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new GranaryException(ErrorCode.INVALID_POST_FORM, "Bucket POST must contain a field named '" + name + "'.");
        }
        return value;
    }

    /** The object's key: the {@code key} field with each {@code ${filename}} replaced by the file's name. */
    String key(String filename) {
        return required("key").replace("${filename}", filename == null ? "" : filename);
    }

    /** The {@code x-amz-meta-*} fields as user metadata, names in lowercase as S3 keeps them. */
    Map<String, String> metadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        fields.forEach((name, value) -> {
            if (name.startsWith(S3ObjectOperations.METADATA_PREFIX)) {
                metadata.put(name.substring(S3ObjectOperations.METADATA_PREFIX.length()), value);
            }
        });
        return metadata;
    }

    /** The {@code x-amz-checksum-*} fields as the headers a PutObject would carry them in. */
    HttpHeaders checksumHeaders() {
        HttpHeaders headers = new HttpHeaders();
        fields.forEach((name, value) -> {
            if (name.startsWith("x-amz-checksum-") && !name.equals("x-amz-checksum-algorithm")) {
                headers.add(name, value);
            }
        });
        return headers;
    }

    /** Refuses an {@code acl} other than those Granary can honour by leaving visibility to the bucket. */
    void requireAcl() {
        String acl = fields.get("acl");
        if (acl != null && !ACLS.contains(acl)) {
            throw new GranaryException(ErrorCode.INVALID_POST_FORM, "The acl '" + acl + "' is not supported: objects are as"
                    + " visible as their bucket, so a form may name only private or public-read, and neither changes that.");
        }
    }

    /** The status {@code success_action_status} asks for: 200, 201 or (anything else, as S3) 204. */
    int successStatus() {
        String status = fields.get("success_action_status");
        return "200".equals(status) ? 200 : "201".equals(status) ? 201 : 204;
    }

    /** The absolute http(s) URL of {@code success_action_redirect}, or {@code null} when absent or not such a URL (S3 then ignores it). */
    URI redirect() {
        String target = fields.get("success_action_redirect");
        if (target == null || target.isBlank()) {
            return null;
        }
        try {
            URI uri = new URI(target.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getRawAuthority() != null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
