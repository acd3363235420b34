import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import io.netty.buffer.Unpooled;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServer;

/**
 * The floors under Granary's hot GET, for bench/hot-get.sh: the same 4 KiB answer (from memory,
 * no credential, no lookup) served by Reactor Netty alone ("netty") and by a one-route WebFlux
 * functional router on Reactor Netty ("webflux"), the stack Granary is built on. What Granary
 * costs above "webflux" is its own work; what "webflux" costs above nginx is the stack's.
 *
 *   java -cp <granary's runtime classpath> bench/floor/FloorServer.java netty|webflux PORT SIZE_BYTES
 */
public class FloorServer {

    public static void main(String[] args) throws InterruptedException {
        String kind = args[0];
        int port = Integer.parseInt(args[1]);
        byte[] body = new byte[Integer.parseInt(args[2])];
        ThreadLocalRandom.current().nextBytes(body);
        HttpServer server = HttpServer.create().host("127.0.0.1").port(port);
        server = switch (kind) {
            case "netty" -> server.handle((request, response) -> response
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Length", Integer.toString(body.length))
                    .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body))));
            case "webflux" -> {
                RouterFunction<ServerResponse> routes = RouterFunctions.route()
                        .GET("/v1/buckets/{bucket}/objects/{*key}", request -> ServerResponse.ok()
                                .header("Content-Type", "application/octet-stream")
                                .bodyValue(body))
                        .build();
                yield server.handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(routes)));
            }
            default -> throw new IllegalArgumentException("netty or webflux, not " + kind);
        };
        server.bindNow();
        System.out.println("listening on " + port + " (" + kind + ")");
        new CountDownLatch(1).await();
    }
}
