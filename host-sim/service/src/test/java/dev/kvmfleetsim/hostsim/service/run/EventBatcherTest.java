package dev.kvmfleetsim.hostsim.service.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.ContractVersion;
import dev.kvmfleetsim.contract.DetailLevel;
import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.RunRequest;
import dev.kvmfleetsim.contract.TraceEvent;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.yield.BoostCause;
import dev.kvmfleetsim.hostsim.model.yield.SpinFailure;
import dev.kvmfleetsim.hostsim.model.yield.YieldTargetState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link EventBatcher}: batch sizes, sequence numbers, the last flag and each detail level. */
class EventBatcherTest {

    private final List<EventBatch> out = new ArrayList<>();

    @Test
    void fullKeepsEveryEventInBatchesOfAtMostTheSizeNumberedFromZero() {
        EventBatcher batcher = batcher(DetailLevel.FULL, 3, 100);
        for (int i = 0; i < 7; i++) {
            batcher.onExit(i, 0, i % 2, ExitReason.MSR_WRITE, 100 + i);
        }
        // The model calls the form with the target's state.
        batcher.onYield(7, 0, 1, 0, BoostCause.IPI_RECEIVER, SpinFailure.NONE, YieldTargetState.PREEMPTED_KERNEL);
        batcher.finish();

        assertThat(out).extracting(EventBatch::sequence).containsExactly(0L, 1L, 2L);
        assertThat(out).extracting(EventBatch::last).containsExactly(false, false, true);
        assertThat(out).extracting(b -> b.exits().size() + b.yields().size()).containsExactly(3, 3, 2);
        assertThat(out.get(0).exits().get(1)).isEqualTo(new TraceEvent.Exit(1, 0, 1, "MSR_WRITE", 101));
        assertThat(out.get(2).yields())
                .containsExactly(new TraceEvent.Yield(7, 0, 1, 0, "IPI_RECEIVER", "NONE", "PREEMPTED_KERNEL"));
        assertThat(out).allSatisfy(b -> {
            assertThat(b.runId()).isEqualTo("run-1");
            assertThat(b.attempt()).isEqualTo(3);
            assertThat(b.detail()).isEqualTo(DetailLevel.FULL);
            assertThat(b.schemaVersion()).isEqualTo(ContractVersion.CURRENT);
        });
    }

    @Test
    void aFullLastBatchIsNotFollowedByAnEmptyOne() {
        EventBatcher batcher = batcher(DetailLevel.FULL, 2, 100);
        for (int i = 0; i < 4; i++) {
            batcher.onExit(i, 0, 0, ExitReason.HLT, 1);
        }
        batcher.finish();

        assertThat(out).extracting(b -> b.exits().size()).containsExactly(2, 2);
        assertThat(out).extracting(EventBatch::last).containsExactly(false, true);
    }

    @Test
    void sampledKeepsEveryNthExitAndEveryNthYieldSeparately() {
        EventBatcher batcher = batcher(DetailLevel.SAMPLED, 100, 10);
        for (int i = 1; i <= 35; i++) {
            batcher.onExit(i, 0, 0, ExitReason.HLT, 1);
        }
        for (int i = 1; i <= 10; i++) {
            batcher.onYield(100 + i, 0, 0, -1, BoostCause.NONE, SpinFailure.NO_CANDIDATE);
        }
        batcher.finish();

        assertThat(out).singleElement().satisfies(b -> {
            assertThat(b.exits()).extracting(TraceEvent.Exit::timeNs).containsExactly(10L, 20L, 30L);
            assertThat(b.yields()).extracting(TraceEvent.Yield::timeNs).containsExactly(110L);
            assertThat(b.last()).isTrue();
        });
    }

    @Test
    void aggregatePublishesOneEmptyLastBatch() {
        EventBatcher batcher = batcher(DetailLevel.AGGREGATE, 10, 100);
        for (int i = 0; i < 50; i++) {
            batcher.onExit(i, 0, 0, ExitReason.HLT, 1);
        }
        batcher.finish();

        assertThat(out).singleElement().satisfies(b -> {
            assertThat(b.sequence()).isZero();
            assertThat(b.last()).isTrue();
            assertThat(b.exits()).isEmpty();
            assertThat(b.yields()).isEmpty();
        });
    }

    @Test
    void aFullBatchOfTheDefaultSizeFitsTheEventsProducersRecordLimit() {
        EventBatcher batcher = batcher(DetailLevel.FULL, 10_000, 100);
        for (int i = 0; i < 10_000; i++) {
            batcher.onYield(Long.MAX_VALUE, 999, 999, 999, BoostCause.RELAXED_FALLBACK, SpinFailure.ALL_YIELDS_FAILED);
        }
        batcher.finish();

        // mp.messaging.outgoing.events.max.request.size (uncompressed) is 4 MiB.
        assertThat(ContractJson.write(out.get(0)).length).isLessThan(4 * 1024 * 1024);
    }

    @Test
    void finishesOnlyOnce() {
        EventBatcher batcher = batcher(DetailLevel.FULL, 10, 100);
        batcher.finish();
        assertThatThrownBy(batcher::finish).isInstanceOf(IllegalStateException.class);
    }

    private EventBatcher batcher(DetailLevel detail, int batchSize, int sampleEvery) {
        RunRequest request = new RunRequest(ContractVersion.CURRENT, "run-1", "sweep-1", 3, 42, null, detail);
        return new EventBatcher(request, batchSize, sampleEvery, out::add);
    }
}
