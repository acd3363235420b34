package io.granary.s3api;

/**
 * A small writer of the S3 API's XML answers: elements in the order written, text escaped. The
 * answers are flat and few; a document model would add nothing.
 */
final class S3Xml {

    static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

    private final StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");

    /** A document whose root element carries S3's namespace. */
    static S3Xml document(String root) {
        S3Xml document = new S3Xml();
        document.xml.append('<').append(root).append(" xmlns=\"").append(NAMESPACE).append("\">");
        return document;
    }

    /** A document whose root element has no namespace (S3's error answers). */
    static S3Xml plain(String root) {
        S3Xml document = new S3Xml();
        document.xml.append('<').append(root).append('>');
        return document;
    }

    S3Xml open(String element) {
        xml.append('<').append(element).append('>');
        return this;
    }

    /** An opening tag with attributes, written as given (constants only, never client input). */
    S3Xml open(String element, String attributes) {
        xml.append('<').append(element).append(' ').append(attributes).append('>');
        return this;
    }

    S3Xml close(String element) {
        xml.append("</").append(element).append('>');
        return this;
    }

    /** {@code <element>text</element>}; nothing at all for a {@code null} text. */
    S3Xml element(String element, Object text) {
        if (text != null) {
            open(element);
            escape(text.toString());
            close(element);
        }
        return this;
    }

    /** Text inside the element written last. */
    S3Xml text(String text) {
        escape(text);
        return this;
    }

    String end(String root) {
        return close(root).xml.toString();
    }

    private void escape(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> xml.append("&lt;");
                case '>' -> xml.append("&gt;");
                case '&' -> xml.append("&amp;");
                case '"' -> xml.append("&quot;");
                case '\r' -> xml.append("&#13;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        xml.append("&#").append((int) c).append(';'); // XML 1.0 cannot carry these as text
                    } else {
                        xml.append(c);
                    }
                }
            }
        }
    }
}
