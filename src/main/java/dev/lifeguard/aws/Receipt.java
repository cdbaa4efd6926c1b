package dev.lifeguard.aws;

/**
 * A received SQS message, as the queue it came from knows it: SQS takes a receipt handle only
 * with its own queue's URL, so the two travel together from intake to the message's delete.
 */
public record Receipt(String queueUrl, String handle) {
}
