package dev.kvmfleetsim.controller.dispatch;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.DetailLevel;
import dev.kvmfleetsim.contract.RunRequest;
import dev.kvmfleetsim.controller.FleetControllerConfig;
import dev.kvmfleetsim.controller.sweep.Run;
import dev.kvmfleetsim.controller.sweep.RunRepository;
import dev.kvmfleetsim.controller.sweep.RunState;
import dev.kvmfleetsim.controller.sweep.SweepChanged;
import dev.kvmfleetsim.controller.sweep.SweepRepository;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * One round of dispatch, in one transaction that holds the dispatch lock (one replica at a time): expired leases go
 * back to PENDING (or FAILED after too many attempts, CANCELLED if the sweep was cancelled), pending runs fill the
 * window of runs in flight and are sent to {@code fleet.runs} as {@link RunRequest}s (key: run id), and sweeps whose
 * runs have all finished are finished. The transaction commits only after the broker acknowledged every request;
 * if sending fails, the runs stay pending and the next round sends them again (at least once).
 */
@ApplicationScoped
public class RunDispatcher {
    private static final Logger LOG = Logger.getLogger(RunDispatcher.class);

    /** What one round did. */
    public record Round(boolean locked, int redispatched, int sent, int finishedSweeps) {}

    private final RunRepository runs;
    private final SweepRepository sweeps;
    private final Event<SweepChanged> changed;
    private final FleetControllerConfig config;

    /** Run requests sent and not yet acknowledged or refused by the broker. */
    private final AtomicInteger unacknowledged = new AtomicInteger();

    /** Bounded in practice: a round sends at most the window and waits for the acknowledgements. */
    @Inject
    @Channel("runs")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    MutinyEmitter<byte[]> requests;

    RunDispatcher(
            RunRepository runs, SweepRepository sweeps, Event<SweepChanged> changed, FleetControllerConfig config) {
        this.runs = runs;
        this.sweeps = sweeps;
        this.changed = changed;
        this.config = config;
    }

    /** One round; a no-op if another replica is dispatching. */
    @Transactional
    public Round dispatchOnce() {
        if (!runs.tryDispatchLock()) {
            return new Round(false, 0, 0, 0);
        }
        Instant now = Instant.now();
        Set<String> touched = new LinkedHashSet<>(runs.sweepsWithExpiredLeases(now));
        int redispatched = runs.expireLeases(now, config.dispatch().maxAttempts());
        if (redispatched > 0) {
            LOG.infof("%d run(s) without a result after their lease: dispatching them again", redispatched);
        }

        // While requests of an earlier round are still unacknowledged (broker down), send nothing new: the buffer
        // would only fill with copies of the same pending runs.
        int free = unacknowledged.get() > 0
                ? 0
                : (int) Math.max(0, config.dispatch().window() - runs.countDispatched());
        List<Run> batch = free == 0 ? List.of() : runs.lockPending(free);
        Map<String, DetailLevel> detail = new HashMap<>();
        List<CompletableFuture<Void>> acks = new ArrayList<>(batch.size());
        Instant leaseEnd = now.plus(config.lease());
        for (Run run : batch) {
            run.attempt++;
            run.state = RunState.DISPATCHED;
            run.dispatchedAt = now;
            run.leaseExpiresAt = leaseEnd;
            RunRequest request = new RunRequest(
                    ContractVersion.CURRENT,
                    run.runId,
                    run.sweepId,
                    run.attempt,
                    run.seed,
                    run.scenario,
                    detail.computeIfAbsent(run.sweepId, id -> sweeps.findById(id).detail));
            acks.add(send(run.runId, ContractJson.write(request)));
            touched.add(run.sweepId);
        }
        awaitAcks(acks);

        int finished = sweeps.finishCompleted(null, now);
        touched.forEach(id -> changed.fire(new SweepChanged(id)));
        if (!batch.isEmpty()) {
            LOG.debugf("dispatched %d run(s)", batch.size());
        }
        return new Round(true, redispatched, batch.size(), finished);
    }

    /** Completes when the broker acknowledged the record, fails when the sink nacked it (as host-sim's publisher). */
    private CompletableFuture<Void> send(String key, byte[] payload) {
        unacknowledged.incrementAndGet();
        CompletableFuture<Void> ack =
                requests.sendMessage(KafkaRecord.of(key, payload)).subscribeAsCompletionStage();
        ack.whenComplete((ok, failure) -> unacknowledged.decrementAndGet());
        return ack;
    }

    private void awaitAcks(List<CompletableFuture<Void>> acks) {
        if (acks.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(config.dispatch().sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending run requests", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("run requests not acknowledged by the broker: " + e, e);
        }
    }
}
