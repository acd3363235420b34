package io.granary.image;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies a JPEG without its metadata and without touching its coded pixels: segment by segment,
 * keeping what decoding needs (tables, frame and scan headers, the entropy-coded data, JFIF,
 * ICC profile, Adobe colour transform) and dropping EXIF (with its GPS block and thumbnail), XMP,
 * IPTC/Photoshop, comments, other application segments, and anything after the end marker
 * (where phones append extra images and vendor data). The EXIF orientation alone is kept, as a
 * fresh one-tag EXIF block, so a photo still shows upright.
 */
final class JpegStripper {

    private static final byte[] EXIF = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);

    private JpegStripper() {
    }

    static void strip(InputStream source, OutputStream target) throws IOException {
        DataInputStream in = new DataInputStream(source);
        if (in.readUnsignedByte() != 0xFF || in.readUnsignedByte() != 0xD8) {
            throw ImageErrors.corrupt("no JPEG start marker");
        }
        target.write(new byte[] {(byte) 0xFF, (byte) 0xD8});
        int marker = nextMarker(in);
        while (true) {
            if (marker == 0xD9) {
                target.write(new byte[] {(byte) 0xFF, (byte) 0xD9});
                return;
            }
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD7) {
                target.write(new byte[] {(byte) 0xFF, (byte) marker});
                marker = nextMarker(in);
                continue;
            }
            byte[] payload = payload(in);
            if (keep(marker, payload)) {
                writeSegment(target, marker, payload);
            } else if (marker == 0xE1 && startsWith(payload, EXIF)) {
                int orientation = Orientation.fromTiff(payload, EXIF.length, payload.length - EXIF.length);
                if (orientation != Orientation.NORMAL) {
                    writeSegment(target, 0xE1, orientationOnly(orientation));
                }
            }
            marker = marker == 0xDA ? copyScan(in, target) : nextMarker(in);
        }
    }

    /** Reads the EXIF orientation from the segments before the first scan, without reading further. */
    static int orientation(InputStream source) throws IOException {
        DataInputStream in = new DataInputStream(source);
        if (in.readUnsignedByte() != 0xFF || in.readUnsignedByte() != 0xD8) {
            return Orientation.NORMAL;
        }
        for (int marker = nextMarker(in); marker != 0xDA && marker != 0xD9; marker = nextMarker(in)) {
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD7) {
                continue;
            }
            int length = in.readUnsignedShort() - 2;
            if (marker == 0xE1 && length >= EXIF.length) {
                byte[] payload = new byte[Math.max(0, length)];
                in.readFully(payload);
                if (startsWith(payload, EXIF)) {
                    return Orientation.fromTiff(payload, EXIF.length, payload.length - EXIF.length);
                }
            } else {
                in.skipNBytes(Math.max(0, length));
            }
        }
        return Orientation.NORMAL;
    }

    /** Segments decoding needs or that only describe colour; all other application segments and comments go. */
    private static boolean keep(int marker, byte[] payload) {
        if (marker == 0xE0) {
            return startsWith(payload, "JFIF\0".getBytes(StandardCharsets.ISO_8859_1)); // JFXX (thumbnails) goes
        }
        if (marker == 0xE2) {
            return startsWith(payload, "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1));
        }
        if (marker == 0xEE) {
            return startsWith(payload, "Adobe".getBytes(StandardCharsets.ISO_8859_1)); // says whether the data is YCC, YCCK, RGB or CMYK
        }
        return !(marker >= 0xE0 && marker <= 0xEF) && marker != 0xFE;
    }

    /**
     * Copies entropy-coded data up to the next marker that is not a restart marker, and returns
     * it. Inside the data a 0xFF byte is followed by 0x00 (a stuffed byte) or by a marker.
     */
    private static int copyScan(DataInputStream in, OutputStream target) throws IOException {
        byte[] buffer = new byte[8192];
        int used = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw ImageErrors.corrupt("the JPEG ends inside its image data");
            }
            if (b == 0xFF) {
                int next = in.read();
                while (next == 0xFF) {
                    next = in.read(); // fill bytes before a marker
                }
                if (next < 0) {
                    throw ImageErrors.corrupt("the JPEG ends inside its image data");
                }
                if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7)) {
                    target.write(buffer, 0, used);
                    return next;
                }
                if (used + 2 > buffer.length) {
                    target.write(buffer, 0, used);
                    used = 0;
                }
                buffer[used++] = (byte) 0xFF;
                buffer[used++] = (byte) next;
            } else {
                if (used == buffer.length) {
                    target.write(buffer, 0, used);
                    used = 0;
                }
                buffer[used++] = (byte) b;
            }
        }
    }

    private static int nextMarker(DataInputStream in) throws IOException {
        try {
            if (in.readUnsignedByte() != 0xFF) {
                throw ImageErrors.corrupt("a JPEG segment does not start with a marker");
            }
            int marker = in.readUnsignedByte();
            while (marker == 0xFF) {
                marker = in.readUnsignedByte();
            }
            return marker;
        } catch (EOFException truncated) {
            throw ImageErrors.corrupt("the JPEG ends before its end marker");
        }
    }

    private static byte[] payload(DataInputStream in) throws IOException {
        try {
            int length = in.readUnsignedShort();
            if (length < 2) {
                throw ImageErrors.corrupt("a JPEG segment has a length below 2");
            }
            byte[] payload = in.readNBytes(length - 2);
            if (payload.length < length - 2) {
                throw new EOFException();
            }
            return payload;
        } catch (EOFException truncated) {
            throw ImageErrors.corrupt("the JPEG ends inside a segment");
        }
    }

    private static void writeSegment(OutputStream out, int marker, byte[] payload) throws IOException {
        int length = payload.length + 2;
        out.write(new byte[] {(byte) 0xFF, (byte) marker, (byte) (length >> 8), (byte) length});
        out.write(payload);
    }

    /** {@code Exif\0\0}, a big-endian TIFF header and an IFD0 with the one Orientation entry. */
    static byte[] orientationOnly(int orientation) {
        return new byte[] {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8,
            0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, 0, 0, 0, 0};
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && java.util.Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }
}
