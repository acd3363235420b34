package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The AWS SDK for JavaScript v3 ({@code @aws-sdk/client-s3} and {@code @aws-sdk/lib-storage},
 * the newest npm serves, installed into {@code target/js-sdk} on first use) driven by
 * {@code src/test/js/s3-client.mjs} under node: PutObject with the SDK's default checksums (a
 * header for a buffer, an aws-chunked body with a trailer for a stream), a multipart Upload,
 * CopyObject, ListObjectsV2 paging, DeleteObjects and GetObject, with every byte read back. The
 * objects are then checked through the REST API. Skipped with a message where node or npm is
 * missing or the packages cannot be installed (offline).
 */
class JsSdkTest extends S3TestSupport {

    private static final Path SDK_DIR = Path.of("target", "js-sdk");
    private static final Path SCRIPT = Path.of("src", "test", "js", "s3-client.mjs");

    @TempDir
    Path dir;

    @Test
    void theJavaScriptSdkWritesCopiesListsDeletesAndReadsBack() throws Exception {
        Path script = installedSdk();
        String tenantId = createTenant(unique("js"));
        String apiKey = createKey(tenantId, List.of("admin"), null);
        Credential credential = newCredential(tenantId);
        String bucket = unique("js");
        byte[] small = random(1, 100_000);
        byte[] streamed = random(2, 1024 * 1024 + 7);
        byte[] big = random(3, 12 * 1024 * 1024 + 5); // lib-storage: 5 MiB parts, so 3 parts
        Files.write(dir.resolve("small.bin"), small);
        Files.write(dir.resolve("stream.bin"), streamed);
        Files.write(dir.resolve("big.bin"), big);

        Run run = run(List.of("node", script.toString()), Map.of("S3_ENDPOINT", endpoint(), "BUCKET", bucket,
                "AWS_ACCESS_KEY_ID", credential.accessKeyId(), "AWS_SECRET_ACCESS_KEY", credential.secret(),
                "DATA_DIR", dir.toString(), "AWS_CONFIG_FILE", dir.resolve("none").toString(),
                "AWS_SHARED_CREDENTIALS_FILE", dir.resolve("none").toString()), null);
        assertThat(run).as("node could not be started").isNotNull();
        assertThat(run.exitCode()).as("%s failed:\n%s\nstdout: %s", SCRIPT, run.stderr(), run.stdout()).isZero();
        Map<?, ?> summary = JsonMapper.builder().build().readValue(run.stdout().strip(), Map.class);
        System.out.printf("JsSdkTest: @aws-sdk/client-s3 %s, @aws-sdk/lib-storage %s, node %s%n",
                summary.get("sdkVersion"), summary.get("libStorageVersion"), summary.get("node"));

        // The SDK's defaults were what ran: a CRC32 trailer on the streamed body, a checksum header on the buffer.
        List<String> putObjects = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        for (Object each : (List<?>) summary.get("sent")) {
            Map<?, ?> sent = (Map<?, ?>) each;
            commands.add((String) sent.get("command"));
            if (sent.get("command").equals("PutObjectCommand")) {
                putObjects.add(sent.get("contentSha256") + " " + sent.get("trailer") + " " + sent.get("checksumHeaders"));
            }
        }
        assertThat(putObjects.get(0)).as("the buffer's PutObject").contains("[x-amz-checksum-crc32]");
        assertThat(putObjects.get(1)).as("the stream's PutObject").startsWith("STREAMING-").contains(" x-amz-checksum-crc32 ");
        assertThat(commands).contains("CreateMultipartUploadCommand", "UploadPartCommand", "CompleteMultipartUploadCommand");

        assertThat(summary.get("listed")).isEqualTo(List.of("list/0", "list/1", "list/2", "list/3", "list/4", "list/5", "list/6"));
        assertThat(summary.get("pages")).isEqualTo(List.of(3, 3, 1));
        assertThat(summary.get("deleted")).isEqualTo(List.of("list/0", "list/1", "list/2", "list/3", "list/never"));
        assertThat(summary.get("remaining")).isEqualTo(List.of("list/4", "list/5", "list/6"));

        // What the SDK wrote is the REST API's object: same bytes and ETag (the multipart one in S3's -3 form).
        Map<?, ?> etags = (Map<?, ?>) summary.get("etags");
        assertThat(etags.get("small.bin")).isEqualTo("\"" + md5(small) + "\"");
        assertThat(etags.get("stream.bin")).isEqualTo("\"" + md5(streamed) + "\"");
        assertThat(etags.get("copy/stream.bin")).isEqualTo("\"" + md5(streamed) + "\"");
        assertThat(etags.get("big.bin")).isEqualTo("\"" + multipartEtag(big, 5 * 1024 * 1024) + "\"");
        for (Map.Entry<String, byte[]> object : Map.of("small.bin", small, "stream.bin", streamed, "big.bin", big,
                "copy/stream.bin", streamed).entrySet()) {
            byte[] stored = http.get().uri("/v1/buckets/{b}/objects/" + object.getKey(), bucket).header("X-Api-Key", apiKey)
                    .exchange().expectStatus().isOk().expectHeader().valueEquals("ETag", (String) etags.get(object.getKey()))
                    .expectBody(byte[].class).returnResult().getResponseBody();
            assertThat(stored).as(object.getKey()).isEqualTo(object.getValue());
        }
        http.get().uri("/v1/buckets/{b}/objects/list/0", bucket).header("X-Api-Key", apiKey).exchange()
                .expectStatus().isNotFound().expectBody();
    }

    /**
     * The script beside an installed SDK: {@code npm install} into {@code target/js-sdk} unless a
     * run before did it, and the script copied there so that node resolves the packages.
     */
    private static Path installedSdk() throws Exception {
        Run node = run(List.of("node", "--version"), Map.of(), null);
        assumeTrue(node != null && node.exitCode() == 0, "node is not installed: JsSdkTest skipped");
        int major = Integer.parseInt(node.stdout().strip().replaceFirst("^v(\\d+)\\..*", "$1"));
        assumeTrue(major >= 20, "the AWS SDK for JavaScript needs node 20 or later, this is " + node.stdout().strip()
                + ": JsSdkTest skipped");
        if (!Files.exists(SDK_DIR.resolve("node_modules/@aws-sdk/client-s3/package.json"))
                || !Files.exists(SDK_DIR.resolve("node_modules/@aws-sdk/lib-storage/package.json"))) {
            Files.createDirectories(SDK_DIR);
            Run npm = run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", SDK_DIR.toString(),
                    "@aws-sdk/client-s3", "@aws-sdk/lib-storage"), Map.of(), null);
            assumeTrue(npm != null, "npm is not installed: JsSdkTest skipped");
            assumeTrue(npm.exitCode() == 0, () -> "npm could not install @aws-sdk/client-s3 and @aws-sdk/lib-storage"
                    + " (offline?): JsSdkTest skipped\n" + npm.stderr());
        }
        return Files.copy(SCRIPT, SDK_DIR.resolve(SCRIPT.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }


    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    private static byte[] random(long seed, int size) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
