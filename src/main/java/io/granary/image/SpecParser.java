package io.granary.image;

import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/** Reads {@link RenditionSpec#PARAMETERS} from a query; every refusal names the parameter and what it allows. */
final class SpecParser {

    private SpecParser() {
    }

    static Optional<RenditionSpec> parse(Map<String, List<String>> query, String accept, int defaultQuality) {
        if (RenditionSpec.PARAMETERS.stream().noneMatch(query::containsKey)) {
            return Optional.empty();
        }
        Integer width = integer(query, "width", 1, RenditionSpec.MAX_SIDE);
        Integer height = integer(query, "height", 1, RenditionSpec.MAX_SIDE);
        Fit fit = fit(one(query, "fit"));
        Focal focal = focal(one(query, "focal"));
        String formatName = one(query, "format");
        boolean auto = "auto".equals(formatName);
        ImageFormat format = auto ? (acceptsWebp(accept) ? ImageFormat.WEBP : null) : format(formatName);
        Integer quality = integer(query, "quality", 1, 100);
        Integer dpr = integer(query, "dpr", 1, 4);
        Boolean strip = strip(one(query, "strip"));
        boolean onlyStrip = strip != null && query.keySet().stream()
                .filter(RenditionSpec.PARAMETERS::contains).allMatch("strip"::equals);
        if (!onlyStrip && quality == null) {
            // Anything but strip alone asks for a rendition, and a rendition has a quality.
            quality = defaultQuality;
        }
        return Optional.of(new RenditionSpec(width, height, fit, focal, format, quality, dpr == null ? 1 : dpr,
                Boolean.TRUE.equals(strip), auto));
    }

    /** The parameter's one value, {@code null} when absent; refused when given more than once. */
    private static String one(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw invalid(name + " must be given once, not " + values.size() + " times");
        }
        return values.get(0) == null ? "" : values.get(0);
    }

    private static Integer integer(Map<String, List<String>> query, String name, int min, int max) {
        String value = one(query, name);
        if (value == null) {
            return null;
        }
        Integer parsed = digits(value);
        if (parsed == null || parsed < min || parsed > max) {
            throw invalid(name + " must be an integer from " + min + " to " + max + ", not '" + shown(value) + "'");
        }
        return parsed;
    }

    /** Plain decimal digits only (no sign, spaces or exponent), at most 9 of them so nothing overflows. */
    private static Integer digits(String value) {
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return Integer.valueOf(value);
    }

    private static Fit fit(String value) {
        if (value == null) {
            return null;
        }
        for (Fit fit : Fit.values()) {
            if (fit.name().toLowerCase(Locale.ROOT).equals(value)) {
                return fit;
            }
        }
        throw invalid("fit must be one of cover, contain, fill, inside, not '" + shown(value) + "'");
    }

    private static Focal focal(String value) {
        if (value == null) {
            return null;
        }
        int comma = value.indexOf(',');
        Integer x = comma < 0 ? null : digits(value.substring(0, comma));
        Integer y = comma < 0 ? null : digits(value.substring(comma + 1));
        if (x == null || y == null || x > 100 || y > 100) {
            throw invalid("focal must be x,y with x and y integers from 0 to 100 (percent of width and height), not '"
                    + shown(value) + "'");
        }
        return new Focal(x, y);
    }

    private static ImageFormat format(String value) {
        if (value == null) {
            return null;
        }
        if ("avif".equals(value)) {
            throw new GranaryException(ErrorCode.IMAGE_FORMAT_UNSUPPORTED,
                    "format=avif is not supported: Granary has no AVIF encoder; ask for webp, jpeg, png or auto");
        }
        for (ImageFormat format : ImageFormat.values()) {
            if (format.wireName().equals(value)) {
                return format;
            }
        }
        throw invalid("format must be one of webp, jpeg, png, auto, not '" + shown(value) + "'");
    }

    private static Boolean strip(String value) {
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw invalid("strip must be true or false, not '" + shown(value) + "'");
        };
    }

    /** Whether {@code Accept} names WebP explicitly with a quality above 0 (wildcards do not count: old browsers send them too). */
    static boolean acceptsWebp(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        try {
            return MediaType.parseMediaTypes(accept).stream().anyMatch(type -> "image".equalsIgnoreCase(type.getType())
                    && "webp".equalsIgnoreCase(type.getSubtype()) && type.getQualityValue() > 0);
        } catch (InvalidMediaTypeException malformed) {
            return false;
        }
    }

    /** The value as echoed in a message: bounded, so a huge parameter does not make a huge answer. */
    private static String shown(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }

    private static GranaryException invalid(String detail) {
        return new GranaryException(ErrorCode.INVALID_TRANSFORM, detail);
    }
}
