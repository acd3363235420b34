import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The SigV4 load client of bench/s3.sh: the AWS SDK for Java v2 asynchronous client (Netty),
 * path style, region us-east-1, checksums only where required and no retries, the same against
 * every target. Prints one {@code RESULT} line.
 *
 * <pre>
 * java -cp CP bench/S3Load.java ENDPOINT ACCESS SECRET BUCKET MODE CONCURRENCY SECONDS SIZE [TAG]
 *   put       SIZE-byte PUTs of new keys TAG-n for SECONDS, CONCURRENCY in flight
 *   load      SIZE-byte objects p00001..pN, N = SECONDS (a count here), CONCURRENCY in flight
 *   get       GETs of random keys of the N = SIZE (a count here) loaded objects, for SECONDS
 *   putfile   one PUT of the file SIZE (a path here) as key TAG, timed
 *   getfile   one GET of key TAG, its bytes counted and dropped, timed
 * </pre>
 */
public class S3Load {

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        String bucket = args[3];
        String mode = args[4];
        int concurrency = Integer.parseInt(args[5]);
        String tag = args.length > 8 ? args[8] : "r";
        try (S3AsyncClient s3 = S3AsyncClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(args[1], args[2])))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(concurrency)
                        .connectionAcquisitionTimeout(Duration.ofSeconds(60)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry())
                        .apiCallTimeout(Duration.ofMinutes(10)))
                .build()) {
            switch (mode) {
                case "put" -> {
                    byte[] body = new byte[Integer.parseInt(args[7])];
                    new Random(1).nextBytes(body);
                    AtomicLong next = new AtomicLong();
                    timed(concurrency, Long.parseLong(args[6]), () -> s3.putObject(
                            p -> p.bucket(bucket).key(tag + "-" + next.incrementAndGet()), AsyncRequestBody.fromBytes(body)));
                }
                case "load" -> {
                    byte[] body = new byte[Integer.parseInt(args[7])];
                    new Random(2).nextBytes(body);
                    int count = Integer.parseInt(args[6]);
                    AtomicLong next = new AtomicLong();
                    List<CompletableFuture<?>> lanes = new ArrayList<>();
                    for (int i = 0; i < concurrency; i++) {
                        lanes.add(loop(() -> {
                            long n = next.incrementAndGet();
                            return n > count ? null : s3.putObject(p -> p.bucket(bucket).key(String.format("p%05d", n)),
                                    AsyncRequestBody.fromBytes(body));
                        }, new ArrayList<>()));
                    }
                    CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).join();
                    System.out.println("RESULT loaded=" + count);
                }
                case "get" -> {
                    int objects = Integer.parseInt(args[7]);
                    timed(concurrency, Long.parseLong(args[6]), () -> s3.getObject(g -> g.bucket(bucket)
                            .key(String.format("p%05d", 1 + ThreadLocalRandom.current().nextInt(objects))),
                            AsyncResponseTransformer.toBytes()));
                }
                case "putfile" -> {
                    Path file = Path.of(args[7]);
                    long start = System.nanoTime();
                    s3.putObject(p -> p.bucket(bucket).key(tag), AsyncRequestBody.fromFile(file)).join();
                    report(Files.size(file), System.nanoTime() - start);
                }
                case "getfile" -> {
                    long start = System.nanoTime();
                    ResponsePublisher<GetObjectResponse> response = s3.getObject(g -> g.bucket(bucket).key(tag),
                            AsyncResponseTransformer.toPublisher()).join();
                    report(drain(response).join(), System.nanoTime() - start);
                }
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            }
        }
    }

    /** Keeps {@code concurrency} calls in flight for {@code seconds}; prints ops/s and latencies. */
    private static void timed(int concurrency, long seconds, java.util.function.Supplier<CompletableFuture<?>> call) {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<List<Long>> latencies = new ArrayList<>();
        List<CompletableFuture<?>> lanes = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            List<Long> lane = new ArrayList<>();
            latencies.add(lane);
            lanes.add(loop(() -> System.nanoTime() < end ? call.get() : null, lane));
        }
        CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).join();
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> all = new ArrayList<>();
        latencies.forEach(all::addAll);
        Collections.sort(all);
        System.out.printf("RESULT ops=%.1f requests=%d p50=%.3f p99=%.3f%n", all.size() / elapsed, all.size(),
                all.get(all.size() / 2) / 1e6, all.get((int) (all.size() * 0.99)) / 1e6);
    }

    /** Runs calls one after another until {@code next} gives none; any failure fails the lane. */
    private static CompletableFuture<Void> loop(java.util.function.Supplier<CompletableFuture<?>> next, List<Long> latencies) {
        long started = System.nanoTime();
        CompletableFuture<?> call = next.get();
        if (call == null) {
            return CompletableFuture.completedFuture(null);
        }
        return call.thenCompose(done -> {
            latencies.add(System.nanoTime() - started);
            return loop(next, latencies);
        });
    }

    private static CompletableFuture<Long> drain(ResponsePublisher<GetObjectResponse> body) {
        CompletableFuture<Long> total = new CompletableFuture<>();
        body.subscribe(new Subscriber<ByteBuffer>() {
            private long bytes;

            @Override
            public void onSubscribe(Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer buffer) {
                bytes += buffer.remaining();
            }

            @Override
            public void onError(Throwable error) {
                total.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                total.complete(bytes);
            }
        });
        return total;
    }

    private static void report(long bytes, long nanos) {
        System.out.printf("RESULT bytes=%d seconds=%.3f mibps=%.1f%n", bytes, nanos / 1e9, bytes / 1048576.0 / (nanos / 1e9));
    }
}
