package io.granary.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Flux;

class MemoryBudgetTest {

    private static final long MIB = 1 << 20;

    @Test
    void reservationsWaitForEachOther() throws Exception {
        MemoryBudget budget = new MemoryBudget(10 * MIB);
        MemoryBudget.Reservation first = budget.reserve(8 * MIB, new Job());
        assertThat(budget.available()).isEqualTo(2);
        CompletableFuture<MemoryBudget.Reservation> second = CompletableFuture.supplyAsync(() -> budget.reserve(5 * MIB, new Job()));
        Thread.sleep(200);
        assertThat(second).isNotDone();
        first.close();
        first.close(); // given back once only
        second.get(5, TimeUnit.SECONDS).close();
        assertThat(budget.available()).isEqualTo(10);
    }

    @Test
    void moreThanTheWholeBudgetTakesTheWholeBudgetAndAWaitingJobCanBeCancelled() throws Exception {
        MemoryBudget budget = new MemoryBudget(10 * MIB);
        MemoryBudget.Reservation huge = budget.reserve(1000 * MIB, new Job());
        assertThat(budget.available()).isZero();
        Job job = new Job();
        CompletableFuture<MemoryBudget.Reservation> waiting = CompletableFuture.supplyAsync(() -> budget.reserve(MIB, job));
        Thread.sleep(100);
        job.cancel();
        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(CancellationException.class);
        huge.close();
        assertThat(budget.available()).isEqualTo(10);
    }

    @Test
    void renditionsLargerThanTheBudgetTakeTurns(@TempDir Path dir) throws Exception {
        PooledImageRenderer renderer = new PooledImageRenderer(new ImageProperties(50_000_000, DataSize.ofMegabytes(100),
                DataSize.ofMegabytes(32), 2, 8, Duration.ofSeconds(60), 80, DataSize.ofMegabytes(1)));
        try {
            Path source = dir.resolve("photo.jpg");
            Files.write(source, TestImages.encode(TestImages.photo(1200, 900, 21), "jpeg"));
            RenditionSpec spec = RenditionSpecTest.spec("width=600&format=webp", null);
            assertThat(Flux.range(0, 6).flatMap(i -> renderer.render(source, spec)).map(Rendition::width)
                    .collectList().block(Duration.ofSeconds(60))).containsOnly(600).hasSize(6);
            // Over half the budget, the source is decoded in bands; the pixels are the same.
            for (String query : new String[] {"width=1000&format=png", "width=300&height=300&format=png", "width=2000&fit=cover&format=png"}) {
                RenditionSpec asked = RenditionSpecTest.spec(query, null);
                assertThat(renderer.render(source, asked).block().bytes()).as(query)
                        .isEqualTo(ImageRendererTest.RENDERER.render(source, asked).block().bytes());
            }
        } finally {
            renderer.close();
        }
    }
}
