import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.bson.Document;
import org.bson.types.ObjectId;
import reactor.core.publisher.Mono;

/**
 * bench/catalog.sh's bulk path: clones one object that Granary itself stored (record and blob)
 * into N objects, each with its own blob file holding the same bytes and its own record, straight
 * into the embedded catalogue over its wire port while Granary runs. The records are what the
 * write protocol commits; only the per-object HTTP request is skipped.
 *
 *   java -cp <classpath> bench/CatalogueFill.java <mongo-port> <store-dir> <template-key> <from> <count> <folders>
 */
public class CatalogueFill {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path store = Path.of(args[1]);
        String templateKey = args[2];
        int from = Integer.parseInt(args[3]);
        int count = Integer.parseInt(args[4]);
        int folders = Integer.parseInt(args[5]);
        try (var client = MongoClients.create("mongodb://127.0.0.1:" + port)) {
            MongoCollection<Document> objects = client.getDatabase("granary").getCollection("objects");
            Document template = Mono.from(objects.find(new Document("key", templateKey)).first()).block();
            if (template == null) {
                throw new IllegalStateException("no object under " + templateKey);
            }
            byte[] bytes = Files.readAllBytes(store.resolve(template.getString("blob")));
            Path bucketDir = store.resolve(template.getString("blob")).getParent();
            List<Document> batch = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                String version = UUID.randomUUID().toString().replace("-", "");
                Path blob = bucketDir.resolve(version);
                Files.write(blob, bytes);
                Document record = new Document(template);
                record.put("_id", new ObjectId());
                record.put("key", String.format("f%03d/obj%08d.bin", i % folders, i));
                record.put("versionId", version);
                record.put("blob", store.relativize(blob).toString());
                record.put("lastModified", java.util.Date.from(Instant.now()));
                batch.add(record);
                if (batch.size() == 1000) {
                    Mono.from(objects.insertMany(batch, new InsertManyOptions().ordered(false))).block();
                    batch = new ArrayList<>();
                }
            }
            if (!batch.isEmpty()) {
                Mono.from(objects.insertMany(batch, new InsertManyOptions().ordered(false))).block();
            }
        }
    }
}
