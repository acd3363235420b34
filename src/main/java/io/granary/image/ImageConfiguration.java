package io.granary.image;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Creates the {@link ImageRenderer} from {@link ImageProperties}; its threads stop with the context. */
@Configuration(proxyBeanMethods = false)
class ImageConfiguration {

    @Bean(destroyMethod = "close")
    PooledImageRenderer imageRenderer(ImageProperties properties) {
        return new PooledImageRenderer(properties);
    }
}
