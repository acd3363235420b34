package io.granary.s3api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.web.util.UriUtils;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * The arithmetic of AWS Signature Version 4 as S3 applies it (no path normalisation, each path
 * segment encoded once): the canonical request, the string to sign and the signature. The AWS
 * SDK signs requests but offers no way to compute a signature for a request received with a
 * given payload hash, so this is written here; the SDK's signer is what the tests check it
 * against, and its URI encoding is used.
 */
final class SigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

    private SigV4() {
    }

    /**
     * @param rawPath the path as sent, percent-encoded
     * @param rawQuery the query as sent ({@code null} for none); {@code X-Amz-Signature} is left out
     * @param headers the signed headers' values by lowercase name, in {@code signedHeaders}' order
     */
    static String canonicalRequest(String method, String rawPath, String rawQuery, List<String> signedHeaders,
                                   Map<String, List<String>> headers, String payloadHash) {
        StringBuilder canonical = new StringBuilder(256).append(method).append('\n');
        canonical.append(canonicalPath(rawPath)).append('\n');
        canonical.append(canonicalQuery(rawQuery)).append('\n');
        for (String name : signedHeaders) {
            canonical.append(name).append(':').append(canonicalValue(headers.getOrDefault(name, List.of()))).append('\n');
        }
        canonical.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadHash);
        return canonical.toString();
    }

    static String stringToSign(String amzDate, String scope, String canonicalRequest) {
        return ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequest);
    }

    /** The hex signature of {@code stringToSign} under the key derived from the secret and the scope's parts. */
    static String signature(String secret, String date, String region, String service, String stringToSign) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        return HexFormat.of().formatHex(hmac(key, stringToSign));
    }

    /** Equal in time independent of where they differ. */
    static boolean sameSignature(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
    }

    private static String canonicalPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        // Decoded, then encoded as AWS does: a client that escaped more or fewer characters
        // than AWS still signs what AWS would have computed.
        return SdkHttpUtils.urlEncodeIgnoreSlashes(UriUtils.decode(rawPath, StandardCharsets.UTF_8));
    }

    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> parameters = new ArrayList<>();
        for (String parameter : rawQuery.split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            String value = equals < 0 ? "" : parameter.substring(equals + 1);
            String encodedName = SdkHttpUtils.urlEncode(UriUtils.decode(name, StandardCharsets.UTF_8));
            if (!encodedName.equals("X-Amz-Signature")) {
                parameters.add(new String[] {encodedName, SdkHttpUtils.urlEncode(UriUtils.decode(value, StandardCharsets.UTF_8))});
            }
        }
        parameters.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder query = new StringBuilder();
        for (String[] parameter : parameters) {
            query.append(query.isEmpty() ? "" : "&").append(parameter[0]).append('=').append(parameter[1]);
        }
        return query.toString();
    }

    /** Values joined with commas, each trimmed and with runs of spaces made one. */
    private static String canonicalValue(List<String> values) {
        List<String> trimmed = new ArrayList<>(values.size());
        for (String value : values) {
            trimmed.add(value.strip().replaceAll(" +", " "));
        }
        return String.join(",", trimmed);
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }
}
