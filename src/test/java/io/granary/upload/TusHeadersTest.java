package io.granary.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The date tus answers with is an IMF-fixdate, as every other date header. */
class TusHeadersTest {

    @Test
    void uploadExpiresIsAnImfFixdateWithATwoDigitDay() {
        assertThat(TusHeaders.httpDate(Instant.parse("2026-12-07T08:00:00Z"))).isEqualTo("Mon, 07 Dec 2026 08:00:00 GMT");
        assertThat(TusHeaders.httpDate(Instant.parse("2027-01-31T23:59:59.999Z"))).isEqualTo("Sun, 31 Jan 2027 23:59:59 GMT");
    }
}
