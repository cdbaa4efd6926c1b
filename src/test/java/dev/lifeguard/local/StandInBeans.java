package dev.lifeguard.local;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Listed before {@code LifeguardConfiguration}: binds the in-process DynamoDB client (the SDK
 * cannot reach embedded DynamoDB Local over HTTP) and creates the configured queues, so the
 * application's own configuration then finds a ready world.
 */
public class StandInBeans implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        LocalAws aws = LocalAws.shared();
        camelContext.getRegistry().bind("dynamoDbClient", aws.dynamoDb());
        PropertiesComponent properties = camelContext.getPropertiesComponent();
        int visibility = Integer.parseInt(properties.resolveProperty("lifeguard.visibility-seconds").orElse("60"));
        aws.createQueue(properties.resolveProperty("lifeguard.queue").orElseThrow(), visibility);
        aws.createQueue(properties.resolveProperty("lifeguard.dead-letter-queue").orElseThrow(), 30);
        // lifeguard.more-queues: queue=dead-letter-queue pairs.
        for (String pair : properties.resolveProperty("lifeguard.more-queues").orElse("").split(",")) {
            if (pair.contains("=")) {
                aws.createQueue(pair.split("=")[0].trim(), visibility);
                aws.createQueue(pair.split("=")[1].trim(), 30);
            }
        }
    }
}
