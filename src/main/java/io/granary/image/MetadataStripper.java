package io.granary.image;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Picks the stripper for the source's format (from its magic number) and streams source to target. */
final class MetadataStripper {

    private MetadataStripper() {
    }

    static void strip(Path source, Path target) throws IOException {
        byte[] head = new byte[SourceFormat.SNIFF_BYTES];
        int length;
        try (InputStream in = Files.newInputStream(source)) {
            length = in.readNBytes(head, 0, head.length);
        }
        SourceFormat format = SourceFormat.sniff(head, length);
        switch (format) {
            case JPEG, PNG -> {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(source), 64 * 1024);
                     OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 64 * 1024)) {
                    if (format == SourceFormat.JPEG) {
                        JpegStripper.strip(in, out);
                    } else {
                        PngStripper.strip(in, out);
                    }
                }
            }
            case WEBP -> {
                try (FileChannel in = FileChannel.open(source);
                     FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                             StandardOpenOption.TRUNCATE_EXISTING)) {
                    WebpStripper.strip(in, out);
                }
            }
            default -> throw ImageErrors.unsupported("strip=true keeps the pixels of JPEG, PNG and WebP originals only, not "
                    + format.formatName() + "; ask for a rendition (any other parameter) instead.");
        }
    }
}
