package io.granary.object;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.tika.detect.MagicDetector;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;

/**
 * Tika's loaded magic patterns, read out of its package-private classes by reflection into the
 * form {@link MagicIndex} indexes: one tree of byte patterns per type, in Tika's order. A Tika
 * laid out otherwise makes {@link #read} fail, and detection then stays Tika's own.
 *
 * @param magics every magic, priority first
 * @param leaves every byte pattern of every tree, numbered by {@code Leaf.id}
 */
record MagicPatterns(List<Magic> magics, List<Leaf> leaves) {

    /** One byte pattern (Tika's {@code MagicDetector}), evaluated exactly as Tika does. */
    static final class Leaf {
        int id;
        int begin;
        int end;
        int length;
        byte[] pattern;
        byte[] mask;
        boolean ignoreCase;
        int anchor; // the byte of the window the index looks it up by
        boolean never;
        boolean regionFree; // a regular expression whose matches do not depend on where its region starts or ends
        Pattern regex; // regular-expression patterns: evaluated lazily, over a region of `length` chars
    }

    /** A node of a pattern tree: a leaf, all of, or at least {@code min} of its children. */
    record Node(Leaf leaf, Node[] children, int min) {
    }

    /** One of Tika's magics, in Tika's order: priority first. */
    record Magic(Node clause, int priority, MediaType type, boolean needsTika) {
    }

    /** What can make a regular expression's match depend on its region (conservatively: also inside classes). */
    private static final List<String> REGION_SENSITIVE = List.of("^", "$", "\\b", "\\B", "\\A", "\\G", "\\Z", "\\z",
            "(?=", "(?!", "(?<");

    static MagicPatterns read(MimeTypes types) throws ReflectiveOperationException {
        Reader reader = new Reader();
        List<?> tikaMagics = (List<?>) field(MimeTypes.class, "magics").get(types);
        List<Magic> magics = new ArrayList<>(tikaMagics.size());
        for (Object magic : tikaMagics) {
            Object mimeType = invoke(magic, "getType");
            MediaType type = (MediaType) invoke(mimeType, "getType");
            String name = type.toString();
            magics.add(new Magic(reader.node(field(magic.getClass(), "clause").get(magic)),
                    (Integer) invoke(magic, "getPriority"), type,
                    "application/xml".equals(name) || "text/html".equals(name)));
        }
        return new MagicPatterns(magics, reader.leaves);
    }

    /** Builds the pattern trees; {@code leaves} numbers every leaf it meets. */
    private static final class Reader {
        private final List<Leaf> leaves = new ArrayList<>();

        private Node node(Object clause) throws ReflectiveOperationException {
            String kind = clause.getClass().getSimpleName();
            switch (kind) {
                case "MagicMatch" -> {
                    Method detector = clause.getClass().getDeclaredMethod("getDetector");
                    detector.setAccessible(true);
                    MediaType type = (MediaType) field(clause.getClass(), "mediaType").get(clause);
                    Leaf leaf = leaf((MagicDetector) detector.invoke(clause));
                    // Tika's match tells "found" from "not found" by whether its detector answers
                    // OCTET_STREAM (the very instance): a pattern of that type never matches.
                    leaf.never = type == MediaType.OCTET_STREAM;
                    return new Node(leaf, null, 0);
                }
                case "AndClause" -> {
                    Object[] clauses = (Object[]) field(clause.getClass(), "clauses").get(clause);
                    return new Node(null, children(Arrays.asList(clauses)), clauses.length);
                }
                case "OrClause" -> {
                    return new Node(null, children((List<?>) field(clause.getClass(), "clauses").get(clause)), 1);
                }
                case "MinShouldMatchClause" -> {
                    return new Node(null, children((List<?>) field(clause.getClass(), "clauses").get(clause)),
                            (Integer) field(clause.getClass(), "min").get(clause));
                }
                default -> throw new IllegalStateException("unknown clause " + kind);
            }
        }

        private Node[] children(List<?> clauses) throws ReflectiveOperationException {
            Node[] nodes = new Node[clauses.size()];
            for (int i = 0; i < nodes.length; i++) {
                nodes[i] = node(clauses.get(i));
            }
            return nodes;
        }

        private Leaf leaf(MagicDetector detector) throws ReflectiveOperationException {
            Leaf leaf = new Leaf();
            leaf.id = leaves.size();
            leaf.begin = (Integer) field(MagicDetector.class, "offsetRangeBegin").get(detector);
            leaf.end = (Integer) field(MagicDetector.class, "offsetRangeEnd").get(detector);
            leaf.length = (Integer) field(MagicDetector.class, "length").get(detector);
            leaf.pattern = (byte[]) field(MagicDetector.class, "pattern").get(detector);
            leaf.mask = (byte[]) field(MagicDetector.class, "mask").get(detector);
            leaf.ignoreCase = (Boolean) field(MagicDetector.class, "isStringIgnoreCase").get(detector);
            if ((Boolean) field(MagicDetector.class, "isRegex").get(detector)) {
                String source = new String(leaf.pattern, StandardCharsets.UTF_8);
                leaf.regex = Pattern.compile(source, leaf.ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
                leaf.regionFree = REGION_SENSITIVE.stream().noneMatch(source::contains);
            } else if (leaf.pattern.length < leaf.length || leaf.mask.length < leaf.length || leaf.length == 0) {
                throw new IllegalStateException("a pattern shorter than its window");
            }
            leaves.add(leaf);
            return leaf;
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    private static Object invoke(Object target, String name) throws ReflectiveOperationException {
        Method method = target.getClass().getDeclaredMethod(name);
        method.setAccessible(true);
        return method.invoke(target);
    }
}
