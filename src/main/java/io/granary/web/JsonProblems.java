package io.granary.web;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.Temporal;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;

/**
 * Explains why a JSON request body could not be read, in the client's terms: the field (as a
 * path such as {@code permissions[0]} or {@code metadata.camera}), the JSON type it must have
 * ({@code a string}, {@code a whole number}, {@code a number}, {@code true or false},
 * {@code an array}, {@code an object}) and, for broken syntax, the line and column. Never a
 * Java class name: Jackson's own messages name the classes it binds to, which tell clients
 * nothing and show the server's insides.
 */
final class JsonProblems {

    private static final String PREFIX = "The body is not valid JSON for this operation: ";

    private JsonProblems() {
    }

    /** The sentence for a decoding failure (any cause chain holding a Jackson exception). */
    static String describe(Throwable error) {
        JacksonException jackson = jacksonCause(error);
        if (jackson == null) {
            return "The body is not valid JSON for this operation.";
        }
        return PREFIX + explain(jackson);
    }

    private static String explain(JacksonException error) {
        String field = path(error.getPath());
        if (error instanceof PropertyBindingException unknown) {
            return "unknown field '" + field + "'" + known(unknown.getKnownPropertyIds()) + ".";
        }
        if (error instanceof InvalidNullException) {
            return "'" + field + "' must not be null.";
        }
        if (error instanceof InvalidFormatException format) {
            return (field.isEmpty() ? "the body" : "'" + field + "'") + " must be " + jsonType(format.getTargetType())
                    + (format.getValue() instanceof String text ? ", not \"" + clip(text) + "\"" : "") + ".";
        }
        if (error instanceof MismatchedInputException mismatch) {
            if (mismatch.getOriginalMessage() != null && mismatch.getOriginalMessage().startsWith("Trailing token")) {
                return "there is more after the JSON value" + at(mismatch.getLocation()) + ".";
            }
            Class<?> target = mismatch.getTargetType();
            if (target == null) {
                return (field.isEmpty() ? "the body does not fit this operation" : "'" + field + "' does not fit") + ".";
            }
            return (field.isEmpty() ? "the body" : "'" + field + "'") + " must be " + jsonType(target) + ".";
        }
        if (error instanceof InputCoercionException coercion) {
            // A number too large for its field (Jackson names the Java type it overflowed).
            return (field.isEmpty() ? "a number" : "'" + field + "'") + " is out of range"
                    + at(coercion.getLocation()) + ".";
        }
        if (error instanceof UnexpectedEndOfInputException end) {
            return "the JSON ends too early" + at(end.getLocation()) + ".";
        }
        if (error instanceof StreamReadException syntax) {
            return "malformed JSON" + at(syntax.getLocation()) + syntaxReason(syntax.getOriginalMessage())
                    + (syntax.getOriginalMessage() != null && syntax.getOriginalMessage().endsWith(".") ? "" : ".");
        }
        return field.isEmpty() ? "it cannot be read." : "'" + field + "' cannot be read.";
    }

    private static JacksonException jacksonCause(Throwable error) {
        Throwable cause = error;
        for (int depth = 0; cause != null && depth < 32; depth++, cause = cause.getCause()) {
            if (cause instanceof JacksonException jackson) {
                return jackson;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    /** {@code permissions[0]}, {@code metadata.camera}, {@code parts[2].etag}; empty for the whole body. */
    static String path(List<JacksonException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : references) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** The JSON type a Java type is read from, as a client would say it. */
    static String jsonType(Class<?> type) {
        if (type == null) {
            return "a different JSON value";
        }
        if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class
                || type.isEnum() || type == java.net.URI.class) {
            return "a string";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "a string holding an ISO-8601 instant such as 2030-01-01T00:00:00Z";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == int.class || type == long.class || type == short.class || type == byte.class
                || type == Integer.class || type == Long.class || type == Short.class || type == Byte.class
                || type == BigInteger.class) {
            return "a whole number";
        }
        if (type == double.class || type == float.class || Number.class.isAssignableFrom(type)
                || type == BigDecimal.class) {
            return "a number";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        // Records and other bound classes are JSON objects.
        return "an object";
    }

    private static String known(Collection<Object> fields) {
        if (fields == null || fields.isEmpty()) {
            return "";
        }
        return "; known fields: " + fields.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    private static String at(TokenStreamLocation location) {
        if (location == null || location.getLineNr() <= 0) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /**
     * The first line of Jackson's syntax message ("Unexpected character ('}' (code 125)): was
     * expecting double-quote to start field name"), unless it names a type after all.
     */
    private static String syntaxReason(String message) {
        if (message == null || message.isBlank()) {
            return "";
        }
        String reason = message.lines().findFirst().orElse("").strip();
        boolean namesJava = reason.contains("java.") || reason.contains("jackson") || reason.contains("`")
                || reason.contains("$");
        return reason.isEmpty() || namesJava ? "" : ": " + clip(reason);
    }

    private static String clip(String text) {
        return text.length() <= 120 ? text : text.substring(0, 117) + "...";
    }
}
