package io.granary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.usage.DailyUsage;
import io.granary.usage.UsageHistoryRepository;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Two nodes sharing one MongoDB-wire server and one S3 server count requests and downloads into
 * one usage history: each adds what it counted to the same rows, so they add up; a node that
 * shuts down writes what it counted since its last flush before it stops.
 */
class UsageHistoryNodesTest {

    private GranaryNode a;
    private GranaryNode b;

    @AfterEach
    void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void nodesAddUpAndAStoppingNodeFlushesFirst() throws InterruptedException {
        List<String> common = GranaryNode.onSharedS3("granary-usage-history-nodes-test");
        List<String> first = new ArrayList<>(common);
        first.add("--granary.usage.history.flush-interval=200ms");
        a = GranaryNode.start(first);
        List<String> second = new ArrayList<>(common);
        second.add(a.sharedMetadataArgument());
        // b never flushes on its own schedule during the test: only its shutdown writes its counts.
        second.add("--granary.usage.history.flush-interval=1h");
        b = GranaryNode.start(second);

        String tenant = a.createTenant("history-nodes");
        String key = (String) a.http.post().uri("/v1/tenants/{t}/keys", tenant)
                .header("Authorization", "Bearer " + ApiTestSupport.ROOT_KEY).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "k", "permissions", List.of("admin"))).exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody().get("secret");
        a.http.post().uri("/v1/buckets").header("X-Api-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "shared")).exchange().expectStatus().isCreated().expectBody();
        a.http.put().uri("/v1/buckets/shared/objects/o.bin").header("X-Api-Key", key)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(new byte[700]).exchange()
                .expectStatus().isOk().expectBody();
        for (int i = 0; i < 5; i++) {
            read(a.http, key);
        }
        for (int i = 0; i < 7; i++) {
            read(b.http, key);
        }

        // a's own six requests arrive within its interval; b's seven wait in b's memory.
        await(() -> totals(key)[0] >= 6);
        Thread.sleep(600);
        assertThat(totals(key)).containsExactly(6, 5 * 700);

        b.close();
        b = null;
        // Read from the database: closing a node in this JVM also stops the other's HTTP server
        // (they share Reactor Netty's global resources).
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<DailyUsage> rows = a.bean(UsageHistoryRepository.class).find(tenant, DailyUsage.TENANT, today.minusDays(29), today)
                .collectList().block();
        assertThat(rows.stream().mapToLong(DailyUsage::requests).sum()).as("b's counts, written as it stopped").isEqualTo(13);
        assertThat(rows.stream().mapToLong(DailyUsage::bytesDownloaded).sum()).isEqualTo(12 * 700);
    }

    private static void read(WebTestClient http, String key) {
        http.get().uri("/v1/buckets/shared/objects/o.bin").header("X-Api-Key", key).exchange().expectStatus().isOk()
                .expectBody(byte[].class).value(bytes -> assertThat(bytes).hasSize(700));
    }

    /** The tenant's requests and bytes downloaded, summed over the default 30 days, as node a answers. */
    @SuppressWarnings("unchecked")
    private long[] totals(String key) {
        Map<String, Object> history = a.http.get().uri("/v1/usage/history?bucket=shared").header("X-Api-Key", key)
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        long requests = 0;
        long downloaded = 0;
        for (Map<String, Object> day : (List<Map<String, Object>>) history.get("days")) {
            requests += ((Number) day.get("requests")).longValue();
            downloaded += ((Number) day.get("bytesDownloaded")).longValue();
        }
        return new long[] {requests, downloaded};
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 20 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
