package dev.lifeguard.aws;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;

/**
 * The intake queues' messages after they were received: kept hidden while their event is in
 * progress, deleted in batches once its outcome is recorded, or made visible again for a retry
 * or a hand-back. Camel's SQS consumers only receive; this class owns every later call, so that
 * no message waits for another's steps and visibility is extended in batches of ten (a batch
 * names one queue, so each queue's receipts are batched apart).
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
    private final Duration visibility;
    private final Clock clock;
    private final Map<Receipt, Held> held = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Receipt> toDelete = new ConcurrentLinkedQueue<>();

    private record Held(Instant receivedAt, Instant hiddenUntil) {
    }

    public SqsMessages(SqsClient sqs, Duration visibility, Clock clock) {
        this.sqs = sqs;
        this.visibility = visibility;
        this.clock = clock;
    }

    /** Keeps the message hidden, extending its visibility, until it is deleted or released. */
    public void hold(Receipt receipt) {
        Instant now = clock.instant();
        held.put(receipt, new Held(now, now.plus(visibility)));
    }

    /** Deletes the message with the next batch (within a tenth of a second): intake's form, with the queue it came from. */
    public void delete(String queueUrl, String receiptHandle) {
        delete(new Receipt(queueUrl, receiptHandle));
    }

    /** Deletes the message with the next batch (within a tenth of a second). */
    public void delete(Receipt receipt) {
        held.remove(receipt);
        toDelete.add(receipt);
    }

    /** Makes the message visible again after {@code delay} (zero: at once), for a retry or a hand-back. */
    public void release(Receipt receipt, Duration delay) {
        held.remove(receipt);
        changeVisibility(receipt, delay);
    }

    /** Makes the message visible again after {@code lifeguard.visibility-seconds}, for the next attempt. */
    public void retryLater(Receipt receipt) {
        release(receipt, visibility);
    }

    /** Hides the message for {@code delay}: another worker holds its event, and may finish or die meanwhile. */
    public void hide(Receipt receipt, Duration delay) {
        release(receipt, delay);
    }

    /** Stops keeping the message hidden: it reappears when its current visibility runs out. */
    public void forget(Receipt receipt) {
        held.remove(receipt);
    }

    public int holding() {
        return held.size();
    }

    /** Called every second or so: extends, in batches, the visibility of held messages that would soon reappear. */
    public void extendDue() {
        Instant now = clock.instant();
        Map<String, List<Receipt>> due = new TreeMap<>();
        Map<Receipt, Integer> seconds = new HashMap<>();
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
            due.computeIfAbsent(receipt.queueUrl(), q -> new ArrayList<>()).add(receipt);
            seconds.put(receipt, (int) Duration.between(now, until).toSeconds());
        });
        due.forEach((queueUrl, receipts) -> inBatches(receipts, batch -> extend(queueUrl, batch, seconds)));
    }

    private void extend(String queueUrl, List<Receipt> batch, Map<Receipt, Integer> seconds) {
        List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
        for (Receipt receipt : batch) {
            entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(entries.size()))
                    .receiptHandle(receipt.handle()).visibilityTimeout(seconds.get(receipt)).build());
        }
        try {
            List<BatchResultErrorEntry> failed = sqs.changeMessageVisibilityBatch(r -> r.queueUrl(queueUrl).entries(entries)).failed();
            for (BatchResultErrorEntry f : failed) {
                // A receipt is invalid once the message was received again: it is no longer ours to keep.
                held.remove(batch.get(Integer.parseInt(f.id())));
                LOG.warn("Could not extend a message's visibility: {} {}", f.code(), f.message());
            }
        } catch (SdkException e) {
            Outages.warnUnlessOutage(LOG, e, "Could not extend the visibility of {} message(s): {}", batch.size(),
                    Outages.describe(e));
        }
    }

    /** Called every tenth of a second or so: deletes what is queued for deletion, ten per call. */
    public void deleteQueued() {
        Map<String, List<Receipt>> byQueue = new TreeMap<>();
        for (Receipt receipt = toDelete.poll(); receipt != null; receipt = toDelete.poll()) {
            byQueue.computeIfAbsent(receipt.queueUrl(), q -> new ArrayList<>()).add(receipt);
        }
        byQueue.forEach((queueUrl, receipts) -> inBatches(receipts, batch -> deleteBatch(queueUrl, batch)));
    }

    private void deleteBatch(String queueUrl, List<Receipt> receipts) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < receipts.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i)).receiptHandle(receipts.get(i).handle()).build());
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

    private void changeVisibility(Receipt receipt, Duration delay) {
        try {
            int seconds = (int) Math.min(Math.max(0, delay.toSeconds()), MAX_HIDDEN.toSeconds() - 60);
            sqs.changeMessageVisibility(r -> r.queueUrl(receipt.queueUrl()).receiptHandle(receipt.handle()).visibilityTimeout(seconds));
        } catch (SdkException e) {
            // The message reappears when its current visibility runs out instead.
            Outages.warnUnlessOutage(LOG, e, "Could not change a message's visibility: {}", Outages.describe(e));
        }
    }

    /** SQS's batch calls take ten entries at most. */
    private static void inBatches(List<Receipt> receipts, Consumer<List<Receipt>> call) {
        for (int from = 0; from < receipts.size(); from += BATCH) {
            call.accept(receipts.subList(from, Math.min(receipts.size(), from + BATCH)));
        }
    }
}
