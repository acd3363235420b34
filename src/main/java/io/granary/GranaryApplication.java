package io.granary;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Entry point only: configuration lives in {@code io.granary.config} and the feature packages. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class GranaryApplication {

    public static void main(String[] args) {
        SpringApplication.run(GranaryApplication.class, args);
    }
}
