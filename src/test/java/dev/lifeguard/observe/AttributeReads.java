package dev.lifeguard.observe;

import dev.lifeguard.local.LocalAws;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;

/** Counts the GetQueueAttributes calls an SQS client (on the local ElasticMQ) makes for one queue. */
final class AttributeReads implements ExecutionInterceptor {
    private final String queueName;
    private final AtomicInteger count = new AtomicInteger();

    AttributeReads(String queueName) {
        this.queueName = queueName;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof GetQueueAttributesRequest get && get.queueUrl().endsWith("/" + queueName)) {
            count.incrementAndGet();
        }
    }

    int count() {
        return count.get();
    }

    /** A client of the shared ElasticMQ that counts through this. */
    SqsClient client() {
        return SqsClient.builder().endpointOverride(URI.create(LocalAws.shared().sqsEndpoint()))
                .overrideConfiguration(c -> c.addExecutionInterceptor(this)).build();
    }
}
