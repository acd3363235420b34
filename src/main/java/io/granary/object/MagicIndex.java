package io.granary.object;

import io.granary.object.MagicPatterns.Leaf;
import io.granary.object.MagicPatterns.Magic;
import io.granary.object.MagicPatterns.Node;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.apache.tika.detect.TextDetector;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tika's magic-number detection ({@link MimeTypes#detect} of a body's first bytes, no name or
 * declared type) with the same answers at a fraction of the cost. Tika evaluates each of its
 * ~1,400 byte patterns separately, copying the bytes into a fresh window per pattern, compiling
 * regular expressions per call and scanning every position of each pattern's offset range (over
 * 300,000 positions in all): about a millisecond of CPU per upload, more than storing 4 KiB.
 * Here the patterns Tika loaded are indexed once by the first byte they accept, so one pass over
 * the bytes finds every pattern that matches anywhere in its range; Tika's rules (pattern trees,
 * priorities, the plain-text check) are then applied to those. When the answer would need more
 * than that (several types match, or XML or HTML, whose root element Tika reads), or this Tika
 * cannot be indexed, {@link #detect} returns {@code null} and the caller asks Tika itself.
 *
 * <p>Tika keeps its patterns in package-private classes, read by reflection ({@link MagicPatterns}). A Tika version
 * laid out otherwise is not indexed (logged once) and detection stays Tika's own; a version that
 * evaluates differently is what {@code MagicIndexTest} compares against.
 */
final class MagicIndex {

    private static final Logger log = LoggerFactory.getLogger(MagicIndex.class);

    /** A regular expression tried at more positions than this is searched for instead. */
    private static final int WIDE_RANGE = 64;

    private final List<Magic> magics;
    private final Leaf[][] byAnchorByte = new Leaf[256][];
    private final List<Leaf> zeroAnchorLeaves = new ArrayList<>();
    private final int leaves;
    private final int minLength;
    private final MediaType text;

    private MagicIndex(MagicPatterns patterns, int minLength, MediaType text) {
        this.magics = patterns.magics();
        List<Leaf> all = patterns.leaves();
        this.leaves = all.size();
        this.minLength = minLength;
        this.text = text;
        List<List<Leaf>> buckets = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            buckets.add(new ArrayList<>());
        }
        for (Leaf leaf : all) {
            if (leaf.regex != null) {
                continue;
            }
            leaf.anchor = anchor(leaf);
            for (int b = -128; b < 128; b++) {
                if (accepts(leaf, leaf.anchor, (byte) b)) {
                    buckets.get(b & 0xff).add(leaf);
                }
            }
            if (accepts(leaf, leaf.anchor, (byte) 0)) {
                zeroAnchorLeaves.add(leaf);
            }
        }
        for (int i = 0; i < 256; i++) {
            byAnchorByte[i] = buckets.get(i).toArray(new Leaf[0]);
        }
    }

    /** Indexes the patterns of {@code types}; {@code null} when this Tika's classes are not as expected. */
    static MagicIndex of(MimeTypes types) {
        try {
            return new MagicIndex(MagicPatterns.read(types), types.getMinLength(), MediaType.TEXT_PLAIN);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.info("Tika's magic patterns could not be indexed ({}); content detection uses Tika's own, slower path", e.toString());
            return null;
        }
    }

    /**
     * What Tika's {@code MimeTypes.detect} answers for these bytes ({@code length > 0}), or
     * {@code null} when only Tika itself can say.
     */
    MediaType detect(byte[] data, int length) {
        boolean[] matched = scan(data, length);
        Evaluation evaluation = new Evaluation(data, length, matched);
        MediaType found = null;
        int priority = -1;
        for (Magic magic : magics) {
            if (priority > 0 && priority > magic.priority()) {
                break;
            }
            if (evaluation.holds(magic.clause())) {
                if (magic.needsTika() || (found != null && !found.equals(magic.type()))) {
                    return null; // XML or HTML (root element), or several types: Tika picks
                }
                found = magic.type();
                priority = magic.priority();
            }
        }
        if (found != null) {
            return found;
        }
        // No pattern matched: Tika's last resort, text unless control bytes say binary.
        try {
            return new TextDetector(minLength).detect(new ByteArrayInputStream(data, 0, length), new Metadata())
                    .equals(MediaType.TEXT_PLAIN) ? text : MediaType.OCTET_STREAM;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A selective byte to index a pattern by: the first unmasked non-zero one (zeros abound in
     * binary formats), else the first unmasked one, else the first.
     */
    private static int anchor(Leaf leaf) {
        for (int j = 0; j < leaf.length; j++) {
            if (leaf.mask[j] == -1 && leaf.pattern[j] != 0) {
                return j;
            }
        }
        for (int j = 0; j < leaf.length; j++) {
            if (leaf.mask[j] == -1) {
                return j;
            }
        }
        return 0;
    }

    /** Every byte pattern that matches somewhere in its range, by one pass over the bytes. */
    private boolean[] scan(byte[] data, int length) {
        boolean[] matched = new boolean[leaves];
        for (int at = 0; at < length; at++) {
            for (Leaf leaf : byAnchorByte[data[at] & 0xff]) {
                int start = at - leaf.anchor;
                if (!matched[leaf.id] && start >= leaf.begin && start <= leaf.end && length >= leaf.begin + leaf.length
                        && matchesAt(leaf, data, length, start)) {
                    matched[leaf.id] = true;
                }
            }
        }
        // Tika compares positions past the end of the bytes with zeros: windows whose anchor
        // lies past the end are tried for the patterns that accept a zero there.
        for (Leaf leaf : zeroAnchorLeaves) {
            if (matched[leaf.id] || length < leaf.begin + leaf.length) {
                continue;
            }
            int last = Math.min(leaf.end, length - 1);
            for (int start = Math.max(leaf.begin, length - leaf.anchor); start <= last && !matched[leaf.id]; start++) {
                matched[leaf.id] = matchesAt(leaf, data, length, start);
            }
            // Every window wholly past the end is all zeros: one test stands for them all.
            if (!matched[leaf.id] && leaf.end >= Math.max(leaf.begin, length)) {
                matched[leaf.id] = matchesAt(leaf, data, length, length);
            }
        }
        return matched;
    }

    private static boolean matchesAt(Leaf leaf, byte[] data, int length, int at) {
        for (int j = 0; j < leaf.length; j++) {
            byte b = at + j < length ? data[at + j] : 0;
            if (!accepts(leaf, j, b)) {
                return false;
            }
        }
        return true;
    }

    /** Tika's comparison of one byte (signed, masked, lower-cased for case-insensitive strings). */
    private static boolean accepts(Leaf leaf, int j, byte b) {
        int masked = b & leaf.mask[j];
        if (leaf.ignoreCase) {
            masked = Character.toLowerCase(masked);
        }
        return masked == leaf.pattern[j];
    }

    /** The pattern trees over one body's bytes; regular expressions are run only when a tree needs them. */
    private static final class Evaluation {
        private final byte[] data;
        private final int length;
        private final boolean[] matched;
        private final Map<Leaf, Boolean> regexResults = new IdentityHashMap<>();
        private String chars;

        Evaluation(byte[] data, int length, boolean[] matched) {
            this.data = data;
            this.length = length;
            this.matched = matched;
        }

        boolean holds(Node node) {
            if (node.leaf() != null) {
                Leaf leaf = node.leaf();
                if (leaf.never) {
                    return false;
                }
                return leaf.regex == null ? matched[leaf.id] : regexResults.computeIfAbsent(leaf, this::regexMatches);
            }
            Node[] children = node.children();
            int count = 0;
            for (int i = 0; i < children.length; i++) {
                if (holds(children[i]) && ++count >= node.min()) {
                    return true;
                }
                if (count + children.length - 1 - i < node.min()) {
                    return false; // the rest cannot make up the number: no need to run them
                }
            }
            return false;
        }

        /** As Tika: the region of {@code length} chars at each offset of the range, bytes read as ISO-8859-1, zeros past the end. */
        private boolean regexMatches(Leaf leaf) {
            if (length < leaf.begin) {
                return false;
            }
            int needed = leaf.end + leaf.length;
            if (chars == null || chars.length() < needed) {
                char[] all = new char[Math.max(needed, length)];
                for (int i = 0; i < length; i++) {
                    all[i] = (char) (data[i] & 0xff);
                }
                chars = new String(all);
            }
            Matcher matcher = leaf.regex.matcher(chars);
            if (!leaf.regionFree || leaf.end - leaf.begin < WIDE_RANGE) {
                for (int at = leaf.begin; at <= leaf.end; at++) {
                    if (matcher.region(at, at + leaf.length).lookingAt()) {
                        return true;
                    }
                }
                return false;
            }
            // Without anchors, boundaries or look-around, a match inside a region is one in any
            // larger region too, so no position before the next match find() reports over the
            // whole range can match: only the positions it reports are tried, each in its own
            // region as Tika does.
            int from = leaf.begin;
            while (from <= leaf.end && matcher.region(from, leaf.end + leaf.length).find()) {
                int at = matcher.start();
                if (at > leaf.end) {
                    return false;
                }
                if (matcher.region(at, at + leaf.length).lookingAt()) {
                    return true;
                }
                from = at + 1;
            }
            return false;
        }
    }

    /**
     * For the equivalence test: per magic, bytes that satisfy its tree where that is simple
     * (each leaf's pattern at the start of its range, the first child of an "any of"); regular
     * expressions are left out.
     */
    List<byte[]> examples() {
        List<byte[]> examples = new ArrayList<>();
        for (Magic magic : magics) {
            byte[] bytes = new byte[512];
            bytes = place(magic.clause(), bytes);
            if (bytes != null) {
                examples.add(bytes);
            }
        }
        return examples;
    }

    private static byte[] place(Node node, byte[] bytes) {
        if (node.leaf() != null) {
            Leaf leaf = node.leaf();
            if (leaf.regex != null || leaf.begin + leaf.length > 65536) {
                return null;
            }
            byte[] grown = bytes.length >= leaf.begin + leaf.length + 16 ? bytes
                    : Arrays.copyOf(bytes, leaf.begin + leaf.length + 16);
            System.arraycopy(leaf.pattern, 0, grown, leaf.begin, leaf.length);
            return grown;
        }
        byte[] current = bytes;
        int placed = 0;
        for (Node child : node.children()) {
            byte[] next = place(child, current);
            if (next != null) {
                current = next;
                if (++placed >= node.min()) {
                    break;
                }
            }
        }
        return placed >= node.min() ? current : null;
    }
}
