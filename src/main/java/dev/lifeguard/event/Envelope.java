package dev.lifeguard.event;

/** How a message reached the queue. */
public enum Envelope {
    /** The Auto Scaling JSON is the SQS body: a hook targeting SQS, or SNS raw message delivery. */
    DIRECT,
    /** An SNS notification whose {@code Message} field holds the Auto Scaling JSON as a string. */
    SNS,
    /** An EventBridge event whose {@code detail} object holds the Auto Scaling payload. */
    EVENTBRIDGE
}
