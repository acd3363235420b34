package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rclone (Debian's, which {@code .ci/run} installs) against the S3 listener: copy a tree with
 * a multipart-sized file and a key with a space, check it (rclone compares sizes and MD5s),
 * list it as JSON, and sync a deletion. Skipped with a message where rclone is missing.
 */
class RcloneTest extends S3TestSupport {

    @TempDir
    Path dir;

    @Test
    void copyCheckListAndSync() throws Exception {
        Run version = run(List.of("rclone", "version"), Map.of(), null);
        assumeTrue(version != null && version.exitCode() == 0, "rclone is not installed (Debian: apt-get install rclone): skipped");
        Credential credential = newCredential();
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("RCLONE_CONFIG_G_TYPE", "s3");
        environment.put("RCLONE_CONFIG_G_PROVIDER", "Other");
        environment.put("RCLONE_CONFIG_G_ACCESS_KEY_ID", credential.accessKeyId());
        environment.put("RCLONE_CONFIG_G_SECRET_ACCESS_KEY", credential.secret());
        environment.put("RCLONE_CONFIG_G_ENDPOINT", endpoint());
        environment.put("RCLONE_CONFIG_G_REGION", "us-east-1");
        environment.put("RCLONE_CONFIG", dir.resolve("rclone.conf").toString()); // nothing of the machine's
        environment.put("AWS_CA_BUNDLE", ""); // rclone 1.60 refuses a CA bundle with its own transport
        Path tree = Files.createDirectories(dir.resolve("tree/sub"));
        Random random = new Random(7);
        for (String name : List.of("one.bin", "two.bin", "sub/big.bin", "sub/a b.txt")) {
            byte[] bytes = new byte[name.equals("sub/big.bin") ? 7 * 1024 * 1024 : 1000 + random.nextInt(100_000)];
            random.nextBytes(bytes);
            Files.write(tree.getParent().resolve(name), bytes);
        }
        String remote = "g:" + unique("rcl");

        expectOk(environment, "rclone", "mkdir", remote);
        expectOk(environment, "rclone", "copy", dir.resolve("tree").toString(), remote);
        expectOk(environment, "rclone", "check", dir.resolve("tree").toString(), remote);
        Run listed = expectOk(environment, "rclone", "lsjson", "-R", remote);
        assertThat(listed.stdout()).contains("\"Path\":\"sub/a b.txt\"").contains("\"Size\":" + 7 * 1024 * 1024);
        Files.delete(dir.resolve("tree/one.bin"));
        expectOk(environment, "rclone", "sync", dir.resolve("tree").toString(), remote, "--delete-after");
        Run after = expectOk(environment, "rclone", "lsf", "-R", remote);
        assertThat(after.stdout()).doesNotContain("one.bin").contains("two.bin").contains("sub/big.bin");
        expectOk(environment, "rclone", "check", dir.resolve("tree").toString(), remote);
    }

    private Run expectOk(Map<String, String> environment, String... command) throws Exception {
        List<String> all = new ArrayList<>(List.of(command));
        Run run = run(all, environment, dir);
        assertThat(run.exitCode()).as("%s\nstdout: %s\nstderr: %s", all, run.stdout(), run.stderr()).isZero();
        return run;
    }
}
