package io.granary.object;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;
import org.junit.jupiter.api.Test;

/** The index gives Tika's own answer for every body it answers at all, and answers the common ones. */
class MagicIndexTest {

    private static final MimeTypes TYPES = MimeTypes.getDefaultMimeTypes();
    private static final MagicIndex INDEX = MagicIndex.of(TYPES);

    private static MediaType tika(byte[] bytes) throws IOException {
        return TYPES.detect(new ByteArrayInputStream(bytes), new Metadata());
    }

    private static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** Common bodies, several sizes, and for every one of Tika's patterns a body that carries it. */
    private static List<byte[]> corpus() {
        List<byte[]> bodies = new ArrayList<>();
        Random random = new Random(14);
        for (int size : new int[] {1, 2, 7, 64, 511, 4096, 8192}) {
            byte[] noise = new byte[size];
            random.nextBytes(noise);
            bodies.add(noise);
            bodies.add(new byte[size]);
            bodies.add(Arrays.copyOf(text("plain words and more words, line after line\n".repeat(200)), size));
            bodies.add(ContentSnifferTest.png(Math.max(size, 8)));
        }
        for (String sample : List.of("%PDF-1.7\n%âãÏÓ\n1 0 obj", "{\"a\": 1}", "a,b\n1,2\n", "GIF89a....",
                "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>", "<?xml version=\"1.0\"?><a/>",
                "<!DOCTYPE html><html><body>hi</body></html>", "<html><head></head></html>", "#!/bin/sh\necho hi\n",
                "PK\u0003\u0004\u0014\u0000\u0000\u0000", "\u001f\u008b\u0008\u0000", "ID3\u0003\u0000", "RIFF\u0000\u0000\u0000\u0000WAVEfmt ",
                "\u0000\u0000\u0000\u0018ftypmp42", "BM", "MZ", "\u00ef\u00bb\u00bfhello", "<svg></svg>", "From: a@b\nSubject: x\n\nbody")) {
            bodies.add(sample.getBytes(StandardCharsets.ISO_8859_1));
        }
        byte[] jpeg = new byte[600];
        jpeg[0] = (byte) 0xff;
        jpeg[1] = (byte) 0xd8;
        jpeg[2] = (byte) 0xff;
        jpeg[3] = (byte) 0xe0;
        bodies.add(jpeg);
        byte[] tar = new byte[1024];
        System.arraycopy(text("ustar\u000000"), 0, tar, 257, 8);
        bodies.add(tar);
        bodies.addAll(INDEX.examples());
        return bodies;
    }

    @Test
    void answersAsTikaDoes() throws IOException {
        assertThat(INDEX).as("this Tika can be indexed").isNotNull();
        int answered = 0;
        List<String> differences = new ArrayList<>();
        for (byte[] body : corpus()) {
            MediaType indexed = INDEX.detect(body, body.length);
            if (indexed != null) {
                answered++;
                MediaType expected = tika(body);
                if (!expected.equals(indexed)) {
                    differences.add(expected + " != " + indexed + " for " + Arrays.toString(Arrays.copyOf(body, Math.min(24, body.length))));
                }
            }
        }
        assertThat(differences).isEmpty();
        assertThat(answered).as("bodies the index answered itself").isGreaterThan(corpus().size() / 2);
    }

    @Test
    void answersCommonBodiesItself() {
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        assertThat(INDEX.detect(noise, noise.length)).isEqualTo(MediaType.OCTET_STREAM);
        byte[] words = text("plain words\n".repeat(300));
        assertThat(INDEX.detect(words, words.length)).isEqualTo(MediaType.TEXT_PLAIN);
        byte[] png = ContentSnifferTest.png(4096);
        assertThat(INDEX.detect(png, png.length)).isEqualTo(MediaType.image("png"));
    }
}
