package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * s3cmd (Debian's, which {@code .ci/run} installs) against the S3 listener: put, get, ls, sync
 * and del. Skipped with a message where s3cmd is missing.
 */
class S3cmdTest extends S3TestSupport {

    @TempDir
    Path dir;

    @Test
    void putGetListSyncAndDelete() throws Exception {
        Run version = run(List.of("s3cmd", "--version"), Map.of(), null);
        assumeTrue(version != null && version.exitCode() == 0, "s3cmd is not installed (Debian: apt-get install s3cmd): skipped");
        Credential credential = newCredential();
        Path config = Files.createFile(dir.resolve("empty.cfg")); // nothing of the machine's ~/.s3cfg
        String host = "127.0.0.1:" + listener.port();
        List<String> s3cmd = List.of("s3cmd", "-c", config.toString(), "--access_key=" + credential.accessKeyId(),
                "--secret_key=" + credential.secret(), "--host=" + host, "--host-bucket=" + host, "--no-ssl", "--region=us-east-1");
        Path tree = Files.createDirectories(dir.resolve("tree/sub"));
        byte[] bytes = new byte[300_000];
        new Random(3).nextBytes(bytes);
        Files.write(tree.resolve("data.bin"), bytes);
        Files.writeString(tree.getParent().resolve("note.txt"), "a note");
        String bucket = "s3://" + unique("s3c");

        expectOk(s3cmd, "mb", bucket);
        expectOk(s3cmd, "put", tree.resolve("data.bin").toString(), bucket + "/single/data.bin");
        expectOk(s3cmd, "get", bucket + "/single/data.bin", dir.resolve("back.bin").toString(), "--force");
        assertThat(Files.readAllBytes(dir.resolve("back.bin"))).isEqualTo(bytes);
        expectOk(s3cmd, "sync", dir.resolve("tree").toString() + "/", bucket + "/synced/");
        Run listed = expectOk(s3cmd, "ls", "-r", bucket);
        assertThat(listed.stdout()).contains("/synced/note.txt").contains("/synced/sub/data.bin").contains("/single/data.bin");
        expectOk(s3cmd, "del", bucket + "/single/data.bin");
        assertThat(expectOk(s3cmd, "ls", "-r", bucket).stdout()).doesNotContain("/single/data.bin");
    }

    private Run expectOk(List<String> s3cmd, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(s3cmd);
        command.addAll(List.of(arguments));
        Run run = run(command, Map.of(), dir);
        assertThat(run.exitCode()).as("%s\nstdout: %s\nstderr: %s", arguments, run.stdout(), run.stderr()).isZero();
        return run;
    }
}
