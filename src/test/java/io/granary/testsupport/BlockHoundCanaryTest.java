package io.granary.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * Proves BlockHound is active in the test JVM: each test blocks on purpose on a non-blocking
 * thread and fails unless BlockHound caught it. Without this, a detector that silently failed
 * to install would make every other test pass vacuously.
 */
class BlockHoundCanaryTest {

    @Test
    void sleepingOnTheParallelSchedulerIsCaught() {
        Mono.fromCallable(() -> {
                    Thread.sleep(10);
                    return 1;
                })
                .subscribeOn(Schedulers.parallel())
                .block();

        List<BlockingCallDetector.Detected> detected = BlockingCallDetector.drain();
        assertThat(detected).singleElement()
                .satisfies(call -> assertThat(call.thread()).startsWith("parallel-"))
                .satisfies(call -> assertThat(call.error()).hasMessageContaining("java.lang.Thread.sleep"));
    }

    @Test
    void sleepingOnAReactorNettyEventLoopIsCaught() {
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle((request, response) -> {
                    sleep();
                    return response.sendString(Mono.just("slept"));
                })
                .bindNow();
        try {
            // Only what BlockHound saw matters here.
            HttpClient.create()
                    .host("127.0.0.1")
                    .port(server.port())
                    .get()
                    .uri("/")
                    .responseSingle((response, body) -> body.asString().defaultIfEmpty(""))
                    .onErrorResume(error -> Mono.just("failed"))
                    .block(Duration.ofSeconds(30));
        } finally {
            server.disposeNow();
        }

        List<BlockingCallDetector.Detected> detected = BlockingCallDetector.drain();
        assertThat(detected).isNotEmpty()
                .allSatisfy(call -> assertThat(call.thread()).startsWith("reactor-http-"));
        assertThat(detected.get(0).error()).hasMessageContaining("java.lang.Thread.sleep");
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
