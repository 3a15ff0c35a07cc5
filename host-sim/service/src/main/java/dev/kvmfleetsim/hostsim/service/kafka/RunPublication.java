package dev.kvmfleetsim.hostsim.service.kafka;

import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.RunResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The sends of one run: event batches go out while the model runs, at most {@code maxInFlight} unacknowledged (the
 * run's thread waits for the oldest beyond that); the result goes out only once every batch is acknowledged, and
 * {@link #result} returns only once the result is. Not thread-safe: one run, one thread.
 */
public final class RunPublication {

    private final RunPublisher publisher;
    private final String runId;
    private final int maxInFlight;
    private final Duration ackTimeout;
    private final Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();

    RunPublication(RunPublisher publisher, String runId, int maxInFlight, Duration ackTimeout) {
        this.publisher = publisher;
        this.runId = runId;
        this.maxInFlight = Math.max(1, maxInFlight);
        this.ackTimeout = ackTimeout;
    }

    /** Sends one batch, first waiting for the oldest unacknowledged one if too many are in flight. */
    public void batch(EventBatch batch) {
        while (inFlight.size() >= maxInFlight) {
            await(inFlight.removeFirst(), "event batch");
        }
        int events = batch.exits().size() + batch.yields().size();
        inFlight.addLast(publisher
                .sendEvents(runId, batch)
                .thenRun(() -> publisher.metrics().eventsPublished(events)));
    }

    /** Waits for every batch, then sends the result and waits for its acknowledgement. */
    public void result(RunResult result) {
        while (!inFlight.isEmpty()) {
            await(inFlight.removeFirst(), "event batch");
        }
        await(publisher.sendResult(runId, result), "result");
    }

    private void await(CompletableFuture<Void> send, String what) {
        try {
            send.get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the " + what + " of run " + runId, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not publish the " + what + " of run " + runId + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "the broker did not acknowledge the " + what + " of run " + runId + " within " + ackTimeout, e);
        }
    }
}
