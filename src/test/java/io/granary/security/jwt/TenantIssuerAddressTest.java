package io.granary.security.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a tenant's issuer may live at (Granary fetches keys from there for anyone). */
class TenantIssuerAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
            "100.64.0.1", "224.0.0.1", "::1", "fe80::1", "fd00::1", "fc12::1"})
    void internalAddressesAreRefused(String address) throws Exception {
        assertThat(TenantIssuerService.isPublic(InetAddress.getByName(address))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "100.128.0.1", "2606:4700:4700::1111"})
    void publicAddressesAreAccepted(String address) throws Exception {
        assertThat(TenantIssuerService.isPublic(InetAddress.getByName(address))).isTrue();
    }
}
