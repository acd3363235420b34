package io.granary;

import io.granary.web.SendPrefetch;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Entry point only: configuration lives in {@code io.granary.config} and the feature packages. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class GranaryApplication {

    static {
        // Before any response is written: Reactor Netty reads this once (see SendPrefetch).
        SendPrefetch.install();
    }

    public static void main(String[] args) {
        SpringApplication.run(GranaryApplication.class, args);
    }
}
