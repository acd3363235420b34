package io.granary.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RenditionSpecTest {

    private static final String CHROME = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

    /** A query from {@code a=1&b=2} (a name may repeat). */
    static Map<String, List<String>> query(String query) {
        Map<String, List<String>> parsed = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            parsed.computeIfAbsent(pair.substring(0, eq), name -> new java.util.ArrayList<>()).add(pair.substring(eq + 1));
        }
        return parsed;
    }

    static RenditionSpec spec(String query, String accept) {
        return RenditionSpec.parse(query(query), accept).orElseThrow();
    }

    @Test
    void noTransformParameterIsNoSpec() {
        assertThat(RenditionSpec.parse(Map.of(), null)).isEmpty();
        assertThat(RenditionSpec.parse(query("versionId=abc&preset=thumb"), null)).isEmpty();
    }

    @Test
    void everyParameterIsRead() {
        RenditionSpec spec = spec("width=300&height=200&fit=contain&focal=10,90&format=jpeg&quality=55&dpr=2&strip=true", null);
        assertThat(spec).isEqualTo(new RenditionSpec(300, 200, Fit.CONTAIN, new Focal(10, 90), ImageFormat.JPEG, 55, 2, true, false));
        assertThat(spec.targetWidth()).isEqualTo(600);
        assertThat(spec.targetHeight()).isEqualTo(400);
        assertThat(spec.rendition()).isTrue();
        assertThat(spec.variesByAccept()).isFalse();
    }

    @Test
    void defaultsAreResolved() {
        RenditionSpec both = spec("width=150&height=150", null);
        assertThat(both.fit()).isEqualTo(Fit.COVER);
        assertThat(both.focal()).isEqualTo(Focal.CENTRE);
        assertThat(both.quality()).isEqualTo(80);
        assertThat(both.dpr()).isEqualTo(1);
        assertThat(both.canonical()).isEqualTo("w=150;h=150;fit=cover;focal=50,50;fmt=;q=80;strip=1");
        assertThat(spec("width=800&format=webp", null).fit()).isEqualTo(Fit.INSIDE);
        assertThat(spec("width=800&format=webp", null).canonical()).isEqualTo("w=800;h=;fit=inside;focal=;fmt=webp;q=80;strip=1");
        assertThat(RenditionSpec.parse(query("width=10"), null, 65).orElseThrow().quality()).isEqualTo(65);
    }

    @Test
    void stripAloneIsStripOnlyAndStripFalseAloneIsTheOriginal() {
        RenditionSpec strip = spec("strip=true", null);
        assertThat(strip.stripOnly()).isTrue();
        assertThat(strip.rendition()).isFalse();
        assertThat(strip.canonical()).isEqualTo("strip=1");
        assertThat(spec("strip=1", null)).isEqualTo(strip);
        RenditionSpec original = spec("strip=false", null);
        assertThat(original.original()).isTrue();
        assertThat(original.stripOnly()).isFalse();
        assertThat(original.canonical()).isEqualTo("original");
        // Any other parameter makes it a rendition, which is stripped whatever strip says.
        assertThat(spec("strip=true&quality=50", null).rendition()).isTrue();
        assertThat(spec("strip=false&width=10", null).canonical()).isEqualTo(spec("width=10&strip=true", null).canonical());
        assertThat(spec("dpr=2", null).rendition()).isTrue();
    }

    @Test
    void canonicalFoldsDprAndDropsWhatCannotChangeTheBytes() {
        assertThat(spec("width=400&dpr=2&format=webp", null).canonical()).isEqualTo(spec("width=800&format=webp", null).canonical());
        // Capped at 4096 on the longer side, the aspect ratio of the box kept.
        RenditionSpec capped = spec("width=3000&height=1000&dpr=2", null);
        assertThat(capped.targetWidth()).isEqualTo(4096);
        assertThat(capped.targetHeight()).isEqualTo(1365);
        assertThat(spec("width=4096&dpr=4", null).targetWidth()).isEqualTo(4096);
        // Quality means nothing to PNG; focal nothing without cover; strip nothing to a rendition.
        assertThat(spec("width=10&format=png&quality=30", null).canonical())
                .isEqualTo(spec("width=10&format=png", null).canonical()).contains("q=;");
        assertThat(spec("width=10&height=10&fit=fill&focal=0,0", null).canonical())
                .isEqualTo(spec("width=10&height=10&fit=fill", null).canonical());
        assertThat(spec("width=10&height=10&focal=0,0", null).canonical())
                .isNotEqualTo(spec("width=10&height=10", null).canonical());
        // With one side, cover, contain and fill all scale to it exactly; inside does not enlarge.
        assertThat(spec("width=10&fit=contain", null).canonical()).isEqualTo(spec("width=10&fit=fill", null).canonical());
        assertThat(spec("width=10&fit=inside", null).canonical()).isNotEqualTo(spec("width=10&fit=fill", null).canonical());
    }

    @Test
    void autoFormatIsResolvedFromAccept() {
        RenditionSpec chrome = spec("width=800&format=auto", CHROME);
        assertThat(chrome.format()).isEqualTo(ImageFormat.WEBP);
        assertThat(chrome.variesByAccept()).isTrue();
        assertThat(chrome.canonical()).isEqualTo(spec("width=800&format=webp", null).canonical());
        RenditionSpec old = spec("width=800&format=auto", "image/png,image/*;q=0.8,*/*;q=0.5");
        assertThat(old.format()).isNull();
        assertThat(old.variesByAccept()).isTrue();
        assertThat(old.canonical()).contains("fmt=nowebp").isNotEqualTo(spec("width=800", null).canonical());
        assertThat(spec("width=8&format=auto", "image/webp;q=0").format()).isNull();
        assertThat(spec("width=8&format=auto", null).format()).isNull();
        assertThat(spec("width=8&format=auto", "not a media type;;").format()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "width=0|width must be an integer from 1 to 4096",
            "width=4097|width must be an integer from 1 to 4096",
            "width=abc|width must be an integer from 1 to 4096",
            "width=-5|width must be an integer from 1 to 4096",
            "width=|width must be an integer from 1 to 4096",
            "width=99999999999|width must be an integer from 1 to 4096",
            "height=0|height must be an integer from 1 to 4096",
            "height=4097|height must be an integer from 1 to 4096",
            "height=1.5|height must be an integer from 1 to 4096",
            "fit=stretch|fit must be one of cover, contain, fill, inside",
            "fit=COVER|fit must be one of cover, contain, fill, inside",
            "focal=101,50|focal must be x,y with x and y integers from 0 to 100",
            "focal=50|focal must be x,y with x and y integers from 0 to 100",
            "focal=-1,5|focal must be x,y with x and y integers from 0 to 100",
            "format=gif|format must be one of webp, jpeg, png, auto",
            "quality=0|quality must be an integer from 1 to 100",
            "quality=101|quality must be an integer from 1 to 100",
            "dpr=0|dpr must be an integer from 1 to 4",
            "dpr=5|dpr must be an integer from 1 to 4",
            "dpr=1.5|dpr must be an integer from 1 to 4",
            "strip=yes|strip must be true or false",
            "width=10&width=20|width must be given once",
            "format=webp&format=webp|format must be given once",
    })
    void invalidValuesAre422NamingTheParameterAndTheRange(String query, String message) {
        assertThatThrownBy(() -> RenditionSpec.parse(query(query), null))
                .isInstanceOfSatisfying(GranaryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TRANSFORM);
                    assertThat(e.code().status().value()).isEqualTo(422);
                    assertThat(e.code().code()).isEqualTo("invalid_transform");
                })
                .hasMessageContaining(message);
    }

    @Test
    void avifIsUnsupportedAndSaysSo() {
        assertThatThrownBy(() -> spec("format=avif", null))
                .isInstanceOfSatisfying(GranaryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_FORMAT_UNSUPPORTED))
                .hasMessageContaining("avif");
    }

    @Test
    void echoedValuesAreBounded() {
        assertThatThrownBy(() -> spec("fit=" + "x".repeat(5000), null)).hasMessageEndingWith("...'");
    }
}
