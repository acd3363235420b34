package io.granary.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class AesGcmSecretSealerTest {

    private static final byte[] OLD_KEY = key();
    private static final byte[] NEW_KEY = key();

    @Test
    void aSealedSecretOpensOnlyForItsOwnContextAndUnaltered() {
        SecretSealer sealer = new AesGcmSecretSealer(OLD_KEY, List.of());
        String sealed = sealer.seal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "GRAAAAAAAAAAAAAAAAAA");

        assertThat(sealed).doesNotContain("wJalrXUtnFEMI").startsWith("g1." + AesGcmSecretSealer.keyId(OLD_KEY) + ".");
        assertThat(sealer.open(sealed, "GRAAAAAAAAAAAAAAAAAA")).isEqualTo("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        assertThat(sealer.seal("same", "c")).isNotEqualTo(sealer.seal("same", "c")); // a fresh nonce each time
        assertThatThrownBy(() -> sealer.open(sealed, "GRBBBBBBBBBBBBBBBBBB")) // copied onto another record
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not open");
        char last = sealed.charAt(sealed.length() - 2);
        String altered = sealed.substring(0, sealed.length() - 2) + (last == 'A' ? 'B' : 'A') + sealed.charAt(sealed.length() - 1);
        assertThatThrownBy(() -> sealer.open(altered, "GRAAAAAAAAAAAAAAAAAA")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> sealer.open("plain-text", "c")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown format");
    }

    @Test
    void aRotatedKeyOpensWhatTheOldOneSealedAndSealsUnderTheNewOne() {
        String sealedBefore = new AesGcmSecretSealer(OLD_KEY, List.of()).seal("secret", "ctx");
        SecretSealer rotated = new AesGcmSecretSealer(NEW_KEY, List.of(OLD_KEY));

        assertThat(rotated.isCurrent(sealedBefore)).isFalse();
        assertThat(rotated.open(sealedBefore, "ctx")).isEqualTo("secret");
        String sealedAfter = rotated.seal("secret", "ctx");
        assertThat(rotated.isCurrent(sealedAfter)).isTrue();

        SecretSealer withoutOldKey = new AesGcmSecretSealer(NEW_KEY, List.of());
        assertThat(withoutOldKey.open(sealedAfter, "ctx")).isEqualTo("secret");
        assertThatThrownBy(() -> withoutOldKey.open(sealedBefore, "ctx")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(AesGcmSecretSealer.keyId(OLD_KEY)).hasMessageContaining("GRANARY_MASTER_KEY_PREVIOUS")
                .hasMessageNotContaining("secret\"");
    }

    @Test
    void aMasterKeyIsThirtyTwoBytes() {
        assertThatThrownBy(() -> new AesGcmSecretSealer(new byte[16], List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes");
    }

    private static byte[] key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
