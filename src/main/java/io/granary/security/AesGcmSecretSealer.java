package io.granary.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM under 32-byte master keys. A sealed value reads {@code g1.<key id>.<base64url of
 * a random 12-byte nonce, the ciphertext and the 16-byte tag>}; the key id is derived from the
 * key (the first 8 bytes of its SHA-256, in hex), so it identifies a key without revealing it.
 */
final class AesGcmSecretSealer implements SecretSealer {

    static final int KEY_BYTES = 32;
    private static final String VERSION = "g1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentId;
    /** Every key that opens values, by id; the current one first. */
    private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();

    AesGcmSecretSealer(byte[] current, List<byte[]> previous) {
        this.currentId = add(current);
        previous.forEach(this::add);
    }

    @Override
    public String seal(String secret, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, keys.get(currentId), nonce, context, secret.getBytes(StandardCharsets.UTF_8));
        byte[] body = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        return VERSION + "." + currentId + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(body);
    }

    @Override
    public String open(String sealed, String context) {
        String[] parts = sealed.split("\\.", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            throw new IllegalStateException("A sealed secret has an unknown format.");
        }
        SecretKeySpec key = keys.get(parts[1]);
        if (key == null) {
            throw new IllegalStateException("A secret is sealed under master key " + parts[1]
                    + ", which this node does not have (set it in GRANARY_MASTER_KEY_PREVIOUS).");
        }
        byte[] body;
        try {
            body = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("A secret sealed under master key " + parts[1] + " is damaged.");
        }
        if (body.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("A secret sealed under master key " + parts[1] + " is damaged.");
        }
        byte[] nonce = Arrays.copyOf(body, NONCE_BYTES);
        byte[] ciphertext = Arrays.copyOfRange(body, NONCE_BYTES, body.length);
        return new String(crypt(Cipher.DECRYPT_MODE, key, nonce, context, ciphertext), StandardCharsets.UTF_8);
    }

    @Override
    public boolean isCurrent(String sealed) {
        return sealed.startsWith(VERSION + "." + currentId + ".");
    }

    private String add(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("A master key is " + KEY_BYTES + " bytes, not " + key.length + ".");
        }
        String id = keyId(key);
        keys.putIfAbsent(id, new SecretKeySpec(key, "AES"));
        return id;
    }

    static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static byte[] crypt(int mode, SecretKeySpec key, byte[] nonce, String context, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("A secret sealed under master key " + keyId(key.getEncoded())
                    + " does not open: altered, or sealed for another record.");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is required of every JVM", e);
        }
    }
}
