package io.granary.s3api;

import io.granary.bucket.CorsRule;
import io.granary.checksum.Checksum;
import io.granary.checksum.ChecksumAlgorithm;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.upload.PartRef;
import java.io.ByteArrayInputStream;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * Reads the small XML documents S3 requests carry, with the JDK's StAX parser set up so that
 * no document can reach outside itself (no DTD, no external entities). A document that is not
 * well-formed, or not the one expected, is {@code 400 MalformedXML}.
 */
final class S3XmlReader {

    private static final Set<String> CORS_LISTS = Set.of("AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader");
    private static final XMLInputFactory FACTORY = XMLInputFactory.newFactory();

    static {
        FACTORY.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        FACTORY.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        FACTORY.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
    }

    private S3XmlReader() {
    }

    /**
     * The whole of a request's XML document, at most {@code maxBytes} (else {@code MalformedXML}
     * naming the {@code document}); empty bytes for an empty body.
     */
    static Mono<byte[]> read(ServerRequest request, int maxBytes, String document) {
        return read(S3Payload.of(request), maxBytes, document);
    }

    /** As above, from a payload already made of the request. */
    static Mono<byte[]> read(S3Payload payload, int maxBytes, String document) {
        // Joined in memory on purpose, bounded by maxBytes: the parser needs the whole document.
        // Checked against the signed SHA-256 (or a checksum header) like any payload, so a
        // signature made for one document never carries another.
        return DataBufferUtils.join(payload.verifiedBody(true), maxBytes)
                .onErrorMap(DataBufferLimitException.class, e -> new GranaryException(ErrorCode.MALFORMED_XML,
                        "The " + document + " document is larger than " + maxBytes + " bytes."))
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .defaultIfEmpty(new byte[0]);
    }

    /** A DeleteObjects request: the keys in order, and whether the answer may leave out what was deleted. */
    record DeleteRequest(List<String> keys, boolean quiet) {
    }

    static DeleteRequest delete(byte[] xml) {
        List<String> keys = new ArrayList<>();
        boolean quiet = false;
        try {
            XMLStreamReader reader = FACTORY.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                expectRoot(reader, "Delete");
                List<String> path = new ArrayList<>();
                while (reader.hasNext()) {
                    int event = reader.next();
                    if (event == XMLStreamConstants.START_ELEMENT) {
                        path.add(reader.getLocalName());
                        String where = String.join("/", path);
                        if (where.equals("Quiet")) {
                            quiet = Boolean.parseBoolean(reader.getElementText().strip());
                            path.remove(path.size() - 1);
                        } else if (where.equals("Object/Key")) {
                            keys.add(reader.getElementText());
                            path.remove(path.size() - 1);
                        }
                    } else if (event == XMLStreamConstants.END_ELEMENT && !path.isEmpty()) {
                        path.remove(path.size() - 1);
                    }
                }
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            throw malformed();
        }
        return new DeleteRequest(keys, quiet);
    }

    /**
     * A CompleteMultipartUpload request: the parts in the order listed, and the checksum listed
     * with each part ({@code <ChecksumCRC32>} and the like), by part number.
     */
    record Completion(List<PartRef> parts, Map<Integer, Checksum> checksums) {
    }

    static Completion complete(byte[] xml) {
        List<PartRef> parts = new ArrayList<>();
        Map<Integer, Checksum> checksums = new HashMap<>();
        try {
            XMLStreamReader reader = FACTORY.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                expectRoot(reader, "CompleteMultipartUpload");
                Integer number = null;
                String etag = null;
                Checksum checksum = null;
                while (reader.hasNext()) {
                    int event = reader.next();
                    if (event == XMLStreamConstants.START_ELEMENT) {
                        String name = reader.getLocalName();
                        switch (name) {
                            case "Part" -> {
                                number = null;
                                etag = null;
                                checksum = null;
                            }
                            case "PartNumber" -> number = Integer.valueOf(reader.getElementText().strip());
                            case "ETag" -> etag = reader.getElementText().strip();
                            default -> {
                                ChecksumAlgorithm algorithm = S3MultipartChecksums.elementAlgorithm(name);
                                String value = algorithm == null ? null : reader.getElementText().strip();
                                if (value != null && !value.isEmpty()) {
                                    if (checksum != null) {
                                        throw new GranaryException(ErrorCode.INVALID_REQUEST,
                                                "A part may be listed with one checksum only.");
                                    }
                                    checksum = new Checksum(algorithm, value);
                                }
                            }
                        }
                    } else if (event == XMLStreamConstants.END_ELEMENT && reader.getLocalName().equals("Part")) {
                        if (number == null || etag == null) {
                            throw malformed();
                        }
                        parts.add(new PartRef(number, etag));
                        if (checksum != null) {
                            checksums.put(number, checksum);
                        }
                    }
                }
            } finally {
                reader.close();
            }
        } catch (XMLStreamException | NumberFormatException e) {
            throw malformed();
        }
        return new Completion(parts, checksums);
    }

    /** A PutBucketCors request: its rules in order (each validated as it is built). */
    static List<CorsRule> cors(byte[] xml) {
        List<CorsRule> rules = new ArrayList<>();
        try {
            XMLStreamReader reader = FACTORY.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                expectRoot(reader, "CORSConfiguration");
                Map<String, List<String>> rule = null;
                Integer maxAge = null;
                while (reader.hasNext()) {
                    int event = reader.next();
                    if (event == XMLStreamConstants.START_ELEMENT) {
                        String name = reader.getLocalName();
                        if (name.equals("CORSRule")) {
                            if (rule != null) {
                                throw malformed(); // a rule inside a rule
                            }
                            rule = new HashMap<>();
                            maxAge = null;
                        } else if (rule != null && name.equals("MaxAgeSeconds")) {
                            maxAge = Integer.valueOf(reader.getElementText().strip());
                        } else if (rule != null && CORS_LISTS.contains(name)) {
                            rule.computeIfAbsent(name, n -> new ArrayList<>()).add(reader.getElementText().strip());
                        }
                    } else if (event == XMLStreamConstants.END_ELEMENT && reader.getLocalName().equals("CORSRule")) {
                        rules.add(new CorsRule(rule.get("AllowedOrigin"), rule.get("AllowedMethod"), rule.get("AllowedHeader"),
                                rule.get("ExposeHeader"), maxAge));
                        rule = null;
                    }
                }
            } finally {
                reader.close();
            }
        } catch (XMLStreamException | NumberFormatException e) {
            throw malformed();
        }
        if (rules.isEmpty()) {
            throw malformed();
        }
        return rules;
    }

    /**
     * A PutObjectTagging request: its tags as listed (key, value), a key listed twice kept twice
     * so that the object's rules can refuse it. A tag without a key or a value is malformed.
     */
    static List<Map.Entry<String, String>> tagging(byte[] xml) {
        List<Map.Entry<String, String>> tags = new ArrayList<>();
        try {
            XMLStreamReader reader = FACTORY.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                expectRoot(reader, "Tagging");
                List<String> path = new ArrayList<>();
                String key = null;
                String value = null;
                while (reader.hasNext()) {
                    int event = reader.next();
                    if (event == XMLStreamConstants.START_ELEMENT) {
                        path.add(reader.getLocalName());
                        String where = String.join("/", path);
                        if (where.equals("TagSet/Tag")) {
                            key = null;
                            value = null;
                        } else if (where.equals("TagSet/Tag/Key")) {
                            key = reader.getElementText();
                            path.remove(path.size() - 1);
                        } else if (where.equals("TagSet/Tag/Value")) {
                            value = reader.getElementText();
                            path.remove(path.size() - 1);
                        }
                    } else if (event == XMLStreamConstants.END_ELEMENT && !path.isEmpty()) {
                        if (String.join("/", path).equals("TagSet/Tag")) {
                            if (key == null || value == null) {
                                throw malformed();
                            }
                            tags.add(new AbstractMap.SimpleImmutableEntry<>(key, value));
                        }
                        path.remove(path.size() - 1);
                    }
                }
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            throw malformed();
        }
        return tags;
    }

    private static void expectRoot(XMLStreamReader reader, String root) throws XMLStreamException {
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamConstants.START_ELEMENT) {
                if (!reader.getLocalName().equals(root)) {
                    throw malformed();
                }
                return;
            }
        }
        throw malformed();
    }

    private static GranaryException malformed() {
        return new GranaryException(ErrorCode.MALFORMED_XML,
                "The XML you provided was not well-formed or did not validate against our published schema.");
    }
}
