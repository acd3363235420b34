package io.granary.user;

import io.granary.common.Ids;
import io.granary.config.GranaryProperties;
import io.granary.error.ErrorCode;
import io.granary.error.GranaryException;
import io.granary.security.SecretFiles;
import io.granary.security.Secrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Creates the first system admin, {@code admin}, when there are no users at all: with the
 * password from {@code GRANARY_ADMIN_PASSWORD}, or a generated one written to
 * {@code <data-dir>/admin.password} (mode 600, beside the root key). Nodes starting together
 * may race; the unique user name lets only one of them win.
 */
@Component
class AdminBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    static final String ADMIN = "admin";

    private final UserRepository users;
    private final GranaryProperties properties;

    AdminBootstrap(UserRepository users, GranaryProperties properties) {
        this.users = users;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        // Blocking on purpose: once, on the start-up thread, not on an event loop.
        users.count().flatMap(count -> count > 0 ? Mono.empty() : createAdmin()).block(Duration.ofMinutes(1));
    }

    private Mono<Void> createAdmin() {
        String configured = properties.adminPassword();
        if (configured != null && !configured.isBlank()) {
            UserService.requirePassword(configured);
        }
        return Mono.fromCallable(() -> {
                    String password = configured != null && !configured.isBlank() ? configured : generated();
                    return new BCryptPasswordEncoder().encode(password);
                })
                // File access and bcrypt: not on the database driver's I/O thread.
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(hash -> {
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                    return users.insert(new UserAccount(Ids.newId(), ADMIN, UserRole.SYSTEM_ADMIN.wireName(), null, now,
                            false, 0, hash));
                })
                .doOnNext(user -> log.info("Created the first system admin '{}'", ADMIN))
                .onErrorResume(e -> e instanceof GranaryException g && g.code() == ErrorCode.USER_EXISTS, e -> Mono.empty())
                .then();
    }

    /** A new random password, written where the operator finds it; an existing file is reused. */
    private String generated() {
        Path file = properties.dataDir().resolve("admin.password");
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            String password = Secrets.newSecret();
            SecretFiles.writeOwnerOnly(file, password);
            log.info("Generated the password of the first system admin '{}' and wrote it to {} (mode 600)",
                    ADMIN, file.toAbsolutePath());
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
