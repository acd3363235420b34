package io.granary.embedded;

import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * How an {@link OrderedIndex} entry is kept in its MVStore map: an array of the document's
 * normalized key values followed by its position, compared element by element in the embedded
 * server's own value order (so a scan of the map yields what its sort would), with a prefix
 * sorting before every longer array it starts (so a prefix is a lower bound of its range).
 * The common key types get compact encodings; anything else falls back to H2's object type.
 */
final class IndexKeyType extends BasicDataType<Object[]> {

    private static final byte NULL = 0;
    private static final byte STRING = 1;
    private static final byte DOUBLE = 2;
    private static final byte INSTANT = 3;
    private static final byte OBJECT_ID = 4;
    private static final byte OTHER = 5;

    private static final ObjectDataType OTHERS = new ObjectDataType();

    private final boolean[] descending;

    /** @param descending per key, whether the index orders it descending (the position, last, is ascending) */
    IndexKeyType(List<Boolean> descending) {
        this.descending = new boolean[descending.size()];
        for (int i = 0; i < this.descending.length; i++) {
            this.descending[i] = descending.get(i);
        }
    }

    @Override
    public int compare(Object[] a, Object[] b) {
        int order = compare(a, b, Math.min(a.length, b.length));
        return order != 0 ? order : Integer.compare(a.length, b.length);
    }

    /** Compares the first {@code count} elements of both keys only. */
    int compare(Object[] a, Object[] b, int count) {
        for (int i = 0; i < count; i++) {
            int order = ValueComparator.asc().compare(a[i], b[i]);
            if (order != 0) {
                return i < descending.length && descending[i] ? -order : order;
            }
        }
        return 0;
    }

    @Override
    public int getMemory(Object[] key) {
        int memory = 24 + 8 * key.length;
        for (Object value : key) {
            memory += value instanceof String s ? 40 + 2 * s.length() : 24;
        }
        return memory;
    }

    @Override
    public void write(WriteBuffer buffer, Object[] key) {
        buffer.putVarInt(key.length);
        for (Object value : key) {
            if (value == null) {
                buffer.put(NULL);
            } else if (value instanceof String s) {
                buffer.put(STRING);
                StringDataType.INSTANCE.write(buffer, s);
            } else if (value instanceof Double d) {
                buffer.put(DOUBLE).putDouble(d);
            } else if (value instanceof Instant t) {
                buffer.put(INSTANT).putLong(t.getEpochSecond()).putInt(t.getNano());
            } else if (value instanceof ObjectId id) {
                buffer.put(OBJECT_ID).put(id.toByteArray());
            } else {
                buffer.put(OTHER);
                OTHERS.write(buffer, value);
            }
        }
    }

    @Override
    public Object[] read(ByteBuffer buffer) {
        Object[] key = new Object[org.h2.mvstore.DataUtils.readVarInt(buffer)];
        for (int i = 0; i < key.length; i++) {
            byte type = buffer.get();
            key[i] = switch (type) {
                case NULL -> null;
                case STRING -> StringDataType.INSTANCE.read(buffer);
                case DOUBLE -> buffer.getDouble();
                case INSTANT -> Instant.ofEpochSecond(buffer.getLong(), buffer.getInt());
                case OBJECT_ID -> {
                    byte[] bytes = new byte[12];
                    buffer.get(bytes);
                    yield new ObjectId(bytes);
                }
                default -> OTHERS.read(buffer);
            };
        }
        return key;
    }

    @Override
    public Object[][] createStorage(int size) {
        return new Object[size][];
    }
}
