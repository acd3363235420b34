package io.granary.object;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.convert.MappingMongoConverter;
import org.springframework.data.mongodb.core.convert.NoOpDbRefResolver;
import org.springframework.data.mongodb.core.mapping.MongoMappingContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checksums kept before they had a type read as what they were (the whole object's), from the
 * catalogue (Spring Data's MongoDB mapping) and from the cache (Jackson); those with a type and
 * parts read back as written.
 */
class ObjectChecksumTest {

    private final MappingMongoConverter mongo = converter();
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void aChecksumKeptBeforeTypesIsTheWholeObjects() {
        ObjectChecksum old = mongo.read(ObjectChecksum.class, new Document("algorithm", "CRC32").append("value", "AAAAAA=="));
        assertThat(old).isEqualTo(new ObjectChecksum("CRC32", "AAAAAA==", ObjectChecksum.Type.FULL_OBJECT, null));
        assertThat(json.readValue("{\"algorithm\":\"SHA256\",\"value\":\"x\"}", ObjectChecksum.class).type())
                .isEqualTo(ObjectChecksum.Type.FULL_OBJECT);
    }

    @Test
    void aCompositeChecksumKeepsItsParts() {
        ObjectChecksum composite = new ObjectChecksum("CRC32", "R/nORQ==-2", ObjectChecksum.Type.COMPOSITE, List.of("a", "b"));
        Document written = new Document();
        mongo.write(composite, written);
        assertThat(mongo.read(ObjectChecksum.class, written)).isEqualTo(composite);
        assertThat(json.readValue(json.writeValueAsString(composite), ObjectChecksum.class)).isEqualTo(composite);
        assertThat(composite.partValue(2)).isEqualTo("b");
        assertThat(composite.partValue(3)).isNull();
    }

    private static MappingMongoConverter converter() {
        MappingMongoConverter converter = new MappingMongoConverter(NoOpDbRefResolver.INSTANCE, new MongoMappingContext());
        converter.afterPropertiesSet();
        return converter;
    }
}
