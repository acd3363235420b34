package io.granary.image;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads the ICC profile a PNG embeds ({@code iCCP}, unless an {@code sRGB} chunk says the pixels
 * are sRGB), from the chunks before the image data: the JDK's PNG reader ignores it. (The JPEG
 * and WebP readers apply their profiles themselves.) Profiles are
 * bounded ({@link #MAX_BYTES} inflated: a compressed profile could be a bomb of its own) and
 * any unreadable one is ignored.
 */
final class EmbeddedProfile {

    static final int MAX_BYTES = 4 << 20;

    private EmbeddedProfile() {
    }

    static byte[] read(Path path, SourceFormat format) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
            return switch (format) {
                case PNG -> png(in);
                default -> null;
            };
        } catch (IOException | RuntimeException | DataFormatException unreadable) {
            return null;
        }
    }

    private static byte[] png(DataInputStream in) throws IOException, DataFormatException {
        in.skipNBytes(8);
        byte[] profile = null;
        while (true) {
            int length = in.readInt();
            String type = new String(in.readNBytes(4), StandardCharsets.ISO_8859_1);
            if (type.equals("IDAT") || type.equals("IEND") || type.equals("sRGB") || length < 0) {
                return type.equals("sRGB") ? null : profile;
            }
            if (type.equals("iCCP") && length <= MAX_BYTES) {
                byte[] data = in.readNBytes(length);
                int name = 0;
                while (name < data.length && data[name] != 0) {
                    name++;
                }
                profile = name + 2 < data.length ? inflate(data, name + 2) : null;
                in.skipNBytes(4);
            } else {
                in.skipNBytes(length + 4L);
            }
        }
    }

    private static byte[] inflate(byte[] data, int offset) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data, offset, data.length - offset);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return null;
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_BYTES) {
                    return null;
                }
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }
}
