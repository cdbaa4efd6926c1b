package dev.lifeguard.routes;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.lifeguard.Fixtures;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LocalAws;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * What the intake route tests ask of the stand-ins, over their APIs: queues in ElasticMQ, the
 * table in DynamoDB Local, completions WireMock received.
 */
final class IntakeWorld {
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private final LocalAws aws;
    private final String table;

    IntakeWorld(LocalAws aws, String table) {
        this.aws = aws;
        this.table = table;
    }

    String queueUrl(String name) {
        return aws.sqs().getQueueUrl(r -> r.queueName(name)).queueUrl();
    }

    /** Messages on the queue, visible or not. */
    int queueDepth(String name) {
        Map<QueueAttributeName, String> attributes = aws.sqs().getQueueAttributes(r -> r.queueUrl(queueUrl(name))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    Map<String, AttributeValue> item(String key) {
        return aws.dynamoDb().getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(key)))).item();
    }

    /** The event's record once it holds {@code result} and is no longer claimed. */
    Map<String, AttributeValue> awaitOutcome(String key, String result) {
        Fixtures.awaitUntil(key + " recorded as " + result, PATIENCE, () -> {
            Map<String, AttributeValue> item = item(key);
            return item.containsKey("result") && item.get("result").s().equals(result)
                    && (!item.containsKey("status") || !item.get("status").s().equals("CLAIMED"));
        });
        return item(key);
    }

    List<LoggedRequest> completionsOf(String token) {
        return aws.autoScaling().findAll(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(containing("Action=CompleteLifecycleAction"))
                .withRequestBody(containing("LifecycleActionToken=" + token)));
    }

    /** The body, fresh, for a group whose profile runs the steered fake salt-key. */
    static String steered(String body) {
        return Fixtures.fresh(body).replaceAll("\"AutoScalingGroupName\": *\"[^\"]*\"",
                "\"AutoScalingGroupName\": \"steered-" + UUID.randomUUID().toString().substring(0, 8) + "\"");
    }

    /** The name the steered fake salt-key knows the event's instance by. */
    static String minion(LifecycleEvent event) {
        return event.groupName() + "-" + event.instanceId();
    }
}
