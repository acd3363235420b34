package io.granary.upload;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference tus client, {@code tus-js-client} (pinned in {@code src/test/tus/package.json}),
 * installed once into {@code target/tus-client} with {@code npm ci} and run by
 * {@code src/test/tus/upload.mjs}. Without {@code node} and {@code npm} on the PATH, or when the
 * install fails (no network), the calling test is skipped with a message saying so.
 */
final class TusJsClient {

    private static final Path SOURCE = Path.of("src/test/tus");
    private static final Path HOME = Path.of("target/tus-client");

    private TusJsClient() {
    }

    /** The output of one run of the script. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    /** Installs the client if it is not there yet; skips the test when that is impossible here. */
    static synchronized void install() throws Exception {
        assumeTrue(available("node") && available("npm"),
                "node and npm are not on the PATH: the tus-js-client test is skipped (see README, Tests)");
        Files.createDirectories(HOME);
        for (String file : List.of("package.json", "package-lock.json", "upload.mjs")) {
            Files.copy(SOURCE.resolve(file), HOME.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.isDirectory(HOME.resolve("node_modules/tus-js-client"))) {
            return;
        }
        Run install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        assumeTrue(install.exitCode() == 0 && Files.isDirectory(HOME.resolve("node_modules/tus-js-client")),
                "npm ci of tus-js-client failed (no network?): the tus-js-client test is skipped\n" + install.stderr());
    }

    /** Runs {@code upload.mjs} with the given arguments. */
    static Run upload(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "upload.mjs"));
        command.addAll(List.of(arguments));
        return run(command, 300);
    }

    private static boolean available(String tool) {
        try {
            return run(List.of(tool, "--version"), 60).exitCode() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static Run run(List<String> command, int timeoutSeconds) throws Exception {
        Path out = Files.createTempFile("tus-client", ".out");
        Path err = Files.createTempFile("tus-client", ".err");
        try {
            Process process = new ProcessBuilder(command).directory(Files.createDirectories(HOME).toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command + " did not finish in " + timeoutSeconds + "s");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
