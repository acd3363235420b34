package io.granary.embedded;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

/**
 * How the embedded server keeps documents in its MVStore maps: as BSON behind a tag byte,
 * where H2's default object type would use Java serialization (several times slower to read,
 * and read on every document a query loads that is not in the page cache). Documents written
 * by earlier releases in that form are still read: its encodings never start with the tag.
 */
final class DocumentType extends BasicDataType<Document> {

    /** Above every type and tag byte H2's ObjectDataType writes (0 to 119). */
    private static final byte BSON = (byte) 0xC0;

    private static final ObjectDataType EARLIER = new ObjectDataType();

    @Override
    public int getMemory(Document document) {
        return 64 + 48 * document.size(); // an estimate for the page cache's accounting, not a measure
    }

    @Override
    public void write(WriteBuffer buffer, Document document) {
        ByteBuf bson = Unpooled.buffer(256);
        try {
            BsonEncoder.encodeDocument(document, bson);
            buffer.put(BSON).put(bson.array(), bson.arrayOffset() + bson.readerIndex(), bson.readableBytes());
        } finally {
            bson.release();
        }
    }

    @Override
    public Document read(ByteBuffer buffer) {
        if (buffer.get(buffer.position()) != BSON) {
            return (Document) EARLIER.read(buffer);
        }
        buffer.get();
        ByteBuf bson = Unpooled.wrappedBuffer(buffer.slice());
        Document document = BsonDecoder.decodeBson(bson);
        buffer.position(buffer.position() + bson.readerIndex());
        return document;
    }

    @Override
    public Document[] createStorage(int size) {
        return new Document[size];
    }
}
