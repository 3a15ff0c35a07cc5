package dev.kvmfleetsim.hostsim.service.run;

import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.DetailLevel;
import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.RunRequest;
import dev.kvmfleetsim.contract.TraceEvent;
import dev.kvmfleetsim.hostsim.model.ModelEventSink;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.yield.BoostCause;
import dev.kvmfleetsim.hostsim.model.yield.SpinFailure;
import dev.kvmfleetsim.hostsim.model.yield.YieldTargetState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns one run's model events into {@link EventBatch}es of at most {@code batchSize} events, numbered 0, 1, ... with
 * {@code last} set on the final one, which {@link #finish()} always emits (possibly empty). What it keeps depends on
 * the request's {@link DetailLevel}: FULL keeps every exit and yield, SAMPLED every n-th exit and every n-th yield
 * (the n-th, 2n-th, ...), AGGREGATE none: its per-reason counts and times are the result's exit table, so its stream is
 * one empty last batch. A full batch is handed on when the next event arrives, so the stream flows during the run.
 * Not thread-safe: the model calls it on the run's thread.
 */
public final class EventBatcher implements ModelEventSink {

    private final RunRequest request;
    private final int batchSize;
    private final int sampleEvery;
    private final Consumer<EventBatch> out;

    private List<TraceEvent.Exit> exits = new ArrayList<>();
    private List<TraceEvent.Yield> yields = new ArrayList<>();
    private long sequence;
    private long exitsSeen;
    private long yieldsSeen;
    private boolean finished;

    /**
     * @param request the run whose events these are (run id, attempt, detail)
     * @param batchSize most events per batch, at least 1
     * @param sampleEvery SAMPLED keeps every n-th event of each kind, at least 1
     * @param out receives each batch in sequence order
     */
    public EventBatcher(RunRequest request, int batchSize, int sampleEvery, Consumer<EventBatch> out) {
        if (batchSize < 1 || sampleEvery < 1) {
            throw new IllegalArgumentException("batch size and sample interval must be at least 1");
        }
        this.request = request;
        this.batchSize = batchSize;
        this.sampleEvery = sampleEvery;
        this.out = out;
    }

    @Override
    public void onExit(long timeNs, int vm, int vcpu, ExitReason reason, long durationNs) {
        if (keep(++exitsSeen)) {
            makeRoom();
            exits.add(new TraceEvent.Exit(timeNs, vm, vcpu, reason.name(), durationNs));
        }
    }

    @Override
    public void onYield(long timeNs, int vm, int vcpu, int target, BoostCause cause, SpinFailure failure) {
        onYield(timeNs, vm, vcpu, target, cause, failure, null);
    }

    /** The model calls this form: the yield with its target's state (issue 12 item 7). */
    @Override
    public void onYield(
            long timeNs,
            int vm,
            int vcpu,
            int target,
            BoostCause cause,
            SpinFailure failure,
            YieldTargetState targetState) {
        if (keep(++yieldsSeen)) {
            makeRoom();
            yields.add(new TraceEvent.Yield(
                    timeNs,
                    vm,
                    vcpu,
                    target,
                    cause.name(),
                    failure.name(),
                    targetState == null ? null : targetState.name()));
        }
    }

    /** Emits the final batch (last = true). Call once, after the model returned. */
    public void finish() {
        if (finished) {
            throw new IllegalStateException("already finished");
        }
        finished = true;
        emit(true);
    }

    private boolean keep(long seen) {
        return switch (request.detail()) {
            case FULL -> true;
            case SAMPLED -> seen % sampleEvery == 0;
            case AGGREGATE -> false;
        };
    }

    private void makeRoom() {
        if (exits.size() + yields.size() == batchSize) {
            emit(false);
        }
    }

    private void emit(boolean last) {
        out.accept(new EventBatch(
                ContractVersion.CURRENT,
                request.runId(),
                request.attempt(),
                sequence++,
                request.detail(),
                exits,
                yields,
                last));
        exits = new ArrayList<>();
        yields = new ArrayList<>();
    }
}
