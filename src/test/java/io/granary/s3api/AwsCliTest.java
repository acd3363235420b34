package io.granary.s3api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code aws} command line against the S3 listener, every one found: the one on the PATH
 * (here possibly a pip-installed v1 with current botocore) and Debian's {@code /usr/bin/aws}
 * (v2.9, which {@code .ci/run} installs). Skipped with a message when there is none. A 20 MiB
 * copy goes up in parts (multipart upload).
 */
class AwsCliTest extends S3TestSupport {

    @TempDir
    Path dir;

    @Test
    void everyInstalledAwsCliCopiesListsAndDeletes() throws Exception {
        List<String> clients = new ArrayList<>();
        for (String candidate : List.of("aws", "/usr/bin/aws")) {
            Run version = run(List.of(candidate, "--version"), Map.of(), null);
            if (version != null && version.exitCode() == 0 && clients.stream().noneMatch(c -> same(c, candidate))) {
                clients.add(candidate);
            }
        }
        assumeTrue(!clients.isEmpty(), "no aws command line on this machine (Debian: apt-get install awscli): skipped");
        for (String aws : clients) {
            copyListAndDelete(aws);
        }
    }

    private void copyListAndDelete(String aws) throws Exception {
        Credential credential = newCredential();
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("AWS_ACCESS_KEY_ID", credential.accessKeyId());
        environment.put("AWS_SECRET_ACCESS_KEY", credential.secret());
        environment.put("AWS_DEFAULT_REGION", "us-east-1");
        environment.put("AWS_CONFIG_FILE", dir.resolve("none").toString()); // nothing from the machine's own profile
        environment.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("none").toString());
        String endpoint = endpoint();
        String bucket = unique("cli");
        Path upload = Files.writeString(dir.resolve("notes.txt"), "notes from the aws cli\n".repeat(1000));

        expectOk(aws, environment, List.of("s3", "mb", "s3://" + bucket, "--endpoint-url", endpoint));
        expectOk(aws, environment, List.of("s3", "cp", upload.toString(), "s3://" + bucket + "/docs/notes.txt",
                "--endpoint-url", endpoint, "--metadata", "owner=ann"));
        Run listed = expectOk(aws, environment, List.of("s3", "ls", "--recursive", "s3://" + bucket, "--endpoint-url", endpoint));
        assertThat(listed.stdout()).contains("docs/notes.txt").contains(String.valueOf(Files.size(upload)));
        Run head = expectOk(aws, environment, List.of("s3api", "head-object", "--bucket", bucket, "--key", "docs/notes.txt",
                "--endpoint-url", endpoint));
        assertThat(head.stdout()).contains("\"owner\": \"ann\"").contains("\"ContentLength\": " + Files.size(upload));
        Path download = dir.resolve("back.txt");
        expectOk(aws, environment, List.of("s3", "cp", "s3://" + bucket + "/docs/notes.txt", download.toString(),
                "--endpoint-url", endpoint));
        assertThat(Files.readString(download)).isEqualTo(Files.readString(upload));
        // Above 8 MiB the aws command line uploads in parts (multipart) and may download in ranges.
        byte[] large = new byte[20 * 1024 * 1024 + 5];
        new java.util.Random(20).nextBytes(large);
        Path big = Files.write(dir.resolve("big.bin"), large);
        expectOk(aws, environment, List.of("s3", "cp", big.toString(), "s3://" + bucket + "/big.bin", "--endpoint-url", endpoint));
        Path bigBack = dir.resolve("big-back.bin");
        expectOk(aws, environment, List.of("s3", "cp", "s3://" + bucket + "/big.bin", bigBack.toString(), "--endpoint-url", endpoint));
        assertThat(Files.mismatch(big, bigBack)).isEqualTo(-1L);
        expectOk(aws, environment, List.of("s3", "rm", "s3://" + bucket + "/big.bin", "--endpoint-url", endpoint));
        expectOk(aws, environment, List.of("s3", "rm", "s3://" + bucket + "/docs/notes.txt", "--endpoint-url", endpoint));
        expectOk(aws, environment, List.of("s3", "rb", "s3://" + bucket, "--endpoint-url", endpoint));
    }

    private Run expectOk(String aws, Map<String, String> environment, List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(aws));
        command.addAll(arguments);
        Run run = run(command, environment, null);
        assertThat(run).as("%s did not run", command).isNotNull();
        assertThat(run.exitCode()).as("%s\nstdout: %s\nstderr: %s", command, run.stdout(), run.stderr()).isZero();
        return run;
    }

    private static boolean same(String a, String b) {
        try {
            Run which = run(List.of("sh", "-c", "readlink -f \"$(command -v " + a + ")\"; readlink -f \"$(command -v " + b + ")\""),
                    Map.of(), null);
            String[] lines = which.stdout().strip().split("\n");
            return lines.length == 2 && lines[0].equals(lines[1]);
        } catch (Exception e) {
            return false;
        }
    }
}
