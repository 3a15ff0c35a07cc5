package dev.kvmfleetsim.controller.rest;

import dev.kvmfleetsim.controller.FleetControllerConfig;
import dev.kvmfleetsim.controller.sweep.SweepChanged;
import dev.kvmfleetsim.controller.sweep.SweepService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.mutiny.operators.multi.processors.SerializedProcessor;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Progress of a sweep as a stream: a snapshot at once, then a new one whenever its runs change (this instance's
 * results and dispatches at once, the database re-read every {@code fleet-controller.progress.poll-interval} for
 * changes made elsewhere), and the stream ends after the sweep has finished.
 */
@ApplicationScoped
public class ProgressStreams {
    private static final Logger LOG = Logger.getLogger(ProgressStreams.class);

    private final SweepService service;
    private final Duration pollInterval;
    private final BroadcastProcessor<String> changes = BroadcastProcessor.create();
    private final SerializedProcessor<String, String> serialized;

    ProgressStreams(SweepService service, FleetControllerConfig config) {
        this.service = service;
        this.pollInterval = config.progress().pollInterval();
        this.serialized = changes.serialized();
    }

    /** Runs of a sweep changed; called after the change committed. */
    void onChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) SweepChanged event) {
        serialized.onNext(event.sweepId());
    }

    /**
     * The progress of a sweep: each item differs from the one before; the last has {@link ProgressEvent#finished()}
     * set, and the stream completes after it.
     */
    public Multi<ProgressEvent> stream(String sweepId) {
        Multi<String> triggers = Multi.createBy()
                .merging()
                .streams(
                        Multi.createFrom().item("start"),
                        changes.filter(sweepId::equals).onOverflow().drop(),
                        Multi.createFrom()
                                .ticks()
                                .every(pollInterval)
                                .map(tick -> "poll")
                                .onOverflow()
                                .drop());
        Multi<ProgressEvent> snapshots = triggers.onItem()
                .transformToUniAndConcatenate(t -> Uni.createFrom()
                        .item(() -> service.progress(sweepId))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .skip()
                .repetitions();
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<Cancellable> upstream = new AtomicReference<>();
            AtomicBoolean terminated = new AtomicBoolean();
            emitter.onTermination(() -> {
                terminated.set(true);
                Cancellable c = upstream.getAndSet(null);
                if (c != null) {
                    c.cancel();
                }
            });
            Cancellable subscription = snapshots
                    .subscribe()
                    .with(
                            snapshot -> {
                                emitter.emit(snapshot);
                                if (snapshot.finished()) {
                                    emitter.complete();
                                }
                            },
                            failure -> {
                                LOG.debugf("progress stream of sweep %s ended: %s", sweepId, failure);
                                emitter.fail(failure);
                            },
                            emitter::complete);
            upstream.set(subscription);
            if (terminated.get() && upstream.getAndSet(null) != null) {
                subscription.cancel();
            }
        });
    }
}
