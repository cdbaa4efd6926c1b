package dev.lifeguard.aws;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;

/**
 * The intake queue's messages after they were received: kept hidden while their event is in
 * progress, deleted in batches once its outcome is recorded, or made visible again for a retry
 * or a hand-back. Camel's SQS consumer only receives; this class owns every later call, so that
 * no message waits for another's steps and visibility is extended in batches of ten.
 *
 * <p>SQS lets a message stay hidden at most 12 hours after it was received; past that its
 * visibility cannot be extended, and it comes back to the queue, where it meets the live claim.
 */
public class SqsMessages {
    private static final Logger LOG = LoggerFactory.getLogger(SqsMessages.class);
    /** SQS's own cap on how long a received message can stay hidden. */
    static final Duration MAX_HIDDEN = Duration.ofHours(12);
    private static final int BATCH = 10;

    private final SqsClient sqs;
    private final String queueUrl;
    private final Duration visibility;
    private final Clock clock;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> toDelete = new ConcurrentLinkedQueue<>();

    private record Held(Instant receivedAt, Instant hiddenUntil) {
    }

    public SqsMessages(SqsClient sqs, String queueUrl, Duration visibility, Clock clock) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.visibility = visibility;
        this.clock = clock;
    }

    /** Keeps the message hidden, extending its visibility, until it is deleted or released. */
    public void hold(String receiptHandle) {
        Instant now = clock.instant();
        held.put(receiptHandle, new Held(now, now.plus(visibility)));
    }

    /** Deletes the message with the next batch (within a tenth of a second). */
    public void delete(String receiptHandle) {
        held.remove(receiptHandle);
        toDelete.add(receiptHandle);
    }

    /** Makes the message visible again after {@code delay} (zero: at once), for a retry or a hand-back. */
    public void release(String receiptHandle, Duration delay) {
        held.remove(receiptHandle);
        changeVisibility(receiptHandle, delay);
    }

    /** Makes the message visible again after {@code lifeguard.visibility-seconds}, for the next attempt. */
    public void retryLater(String receiptHandle) {
        release(receiptHandle, visibility);
    }

    /** Hides the message for {@code delay}: another worker holds its event, and may finish or die meanwhile. */
    public void hide(String receiptHandle, Duration delay) {
        release(receiptHandle, delay);
    }

    /** Stops keeping the message hidden: it reappears when its current visibility runs out. */
    public void forget(String receiptHandle) {
        held.remove(receiptHandle);
    }

    public int holding() {
        return held.size();
    }

    /** Called every second or so: extends, in batches, the visibility of held messages that would soon reappear. */
    public void extendDue() {
        Instant now = clock.instant();
        List<ChangeMessageVisibilityBatchRequestEntry> due = new ArrayList<>();
        held.forEach((receipt, entry) -> {
            // Extend once half of the last extension has passed, so one failed call is survived.
            if (entry.hiddenUntil().minus(visibility.dividedBy(2)).isAfter(now)) {
                return;
            }
            Instant limit = entry.receivedAt().plus(MAX_HIDDEN).minusSeconds(5);
            Instant until = now.plus(visibility).isAfter(limit) ? limit : now.plus(visibility);
            if (!until.isAfter(now)) {
                return;
            }
            held.computeIfPresent(receipt, (r, e) -> new Held(e.receivedAt(), until));
            due.add(ChangeMessageVisibilityBatchRequestEntry.builder()
                    .id(Integer.toString(due.size()))
                    .receiptHandle(receipt)
                    .visibilityTimeout((int) Duration.between(now, until).toSeconds())
                    .build());
        });
        for (int from = 0; from < due.size(); from += BATCH) {
            List<ChangeMessageVisibilityBatchRequestEntry> batch = renumber(due.subList(from, Math.min(due.size(), from + BATCH)));
            try {
                List<BatchResultErrorEntry> failed = sqs.changeMessageVisibilityBatch(r -> r.queueUrl(queueUrl).entries(batch)).failed();
                for (BatchResultErrorEntry f : failed) {
                    // A receipt is invalid once the message was received again: it is no longer ours to keep.
                    held.remove(batch.get(Integer.parseInt(f.id())).receiptHandle());
                    LOG.warn("Could not extend a message's visibility: {} {}", f.code(), f.message());
                }
            } catch (SdkException e) {
                Outages.warnUnlessOutage(LOG, e, "Could not extend the visibility of {} message(s): {}", batch.size(),
                        Outages.describe(e));
            }
        }
    }

    /** Called every tenth of a second or so: deletes what is queued for deletion, ten per call. */
    public void deleteQueued() {
        List<String> receipts = new ArrayList<>();
        for (String receipt = toDelete.poll(); receipt != null; receipt = toDelete.poll()) {
            receipts.add(receipt);
            if (receipts.size() == BATCH) {
                deleteBatch(receipts);
                receipts = new ArrayList<>();
            }
        }
        if (!receipts.isEmpty()) {
            deleteBatch(receipts);
        }
    }

    private void deleteBatch(List<String> receipts) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < receipts.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i)).receiptHandle(receipts.get(i)).build());
        }
        try {
            List<BatchResultErrorEntry> failed = sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries)).failed();
            // A message that could not be deleted comes back and is dropped then as a duplicate.
            failed.forEach(f -> LOG.warn("Could not delete a handled message: {} {}", f.code(), f.message()));
        } catch (SdkException e) {
            Outages.warnUnlessOutage(LOG, e, "Could not delete {} handled message(s); they will come back as duplicates: {}",
                    entries.size(), Outages.describe(e));
        }
    }

    private void changeVisibility(String receiptHandle, Duration delay) {
        try {
            int seconds = (int) Math.min(Math.max(0, delay.toSeconds()), MAX_HIDDEN.toSeconds() - 60);
            sqs.changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(seconds));
        } catch (SdkException e) {
            // The message reappears when its current visibility runs out instead.
            Outages.warnUnlessOutage(LOG, e, "Could not change a message's visibility: {}", Outages.describe(e));
        }
    }

    private static List<ChangeMessageVisibilityBatchRequestEntry> renumber(List<ChangeMessageVisibilityBatchRequestEntry> batch) {
        List<ChangeMessageVisibilityBatchRequestEntry> out = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            out.add(batch.get(i).toBuilder().id(Integer.toString(i)).build());
        }
        return out;
    }
}
