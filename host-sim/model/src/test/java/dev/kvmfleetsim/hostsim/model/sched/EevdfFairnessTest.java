package dev.kvmfleetsim.hostsim.model.sched;

import static dev.kvmfleetsim.hostsim.model.sched.Ticks.MS;
import static dev.kvmfleetsim.hostsim.model.sched.Ticks.US;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** CPU-bound entities on one run queue: shares and slice lengths (kvm-model §6.1, §6.2). */
class EevdfFairnessTest {

    private static Eevdf queue(long... weights) {
        Eevdf rq = new Eevdf(EevdfParams.defaults());
        for (long w : weights) {
            int id = rq.addEntity(w);
            rq.enqueue(id, 0, true);
        }
        rq.pick(0);
        return rq;
    }

    @Test
    void equalWeightsShareTheCpuEquallyOverManyTicks() {
        Eevdf rq = queue(1024, 1024, 1024);
        long end = 3_000 * MS;
        Ticks.run(rq, 0, end, 4 * MS);
        long total = 0;
        for (int i = 0; i < 3; i++) {
            total += rq.sumExecNs(i);
        }
        assertThat(total).isEqualTo(end);
        for (int i = 0; i < 3; i++) {
            assertThat((double) rq.sumExecNs(i) / end).as("share of %d", i).isCloseTo(1.0 / 3, within(0.005));
            assertThat(rq.runDelayNs(i, end)).as("the rest is run delay").isEqualTo(end - rq.sumExecNs(i));
        }
    }

    @Test
    void sharesFollowTheWeights() {
        Eevdf rq = queue(2048, 1024, Eevdf.weightOfNice(5));
        long end = 3_000 * MS;
        Ticks.run(rq, 0, end, 1 * MS);
        double w = 2048 + 1024 + 335;
        assertThat((double) rq.sumExecNs(0) / end).isCloseTo(2048 / w, within(0.01));
        assertThat((double) rq.sumExecNs(1) / end).isCloseTo(1024 / w, within(0.01));
        assertThat((double) rq.sumExecNs(2) / end).isCloseTo(335 / w, within(0.01));
    }

    @Test
    void aCompetingEntityRunsAboutOneBaseSlice() {
        Eevdf rq = queue(1024, 1024);
        Ticks.run(rq, 0, 100 * MS, 100 * US); // past the initial half slices
        int switches = Ticks.run(rq, 100 * MS, 1_100 * MS, 100 * US);
        double meanRun = (double) (1_000 * MS) / switches;
        assertThat(meanRun).as("2.8 ms, rounded up to the 100 us tick").isBetween(2.8e6, 2.9e6);
    }

    @Test
    void withHz250TheSliceIsRoundedUpToATick() {
        Eevdf rq = queue(1024, 1024);
        Ticks.run(rq, 0, 100 * MS, 4 * MS);
        int switches = Ticks.run(rq, 100 * MS, 1_100 * MS, 4 * MS);
        assertThat((double) (1_000 * MS) / switches).isEqualTo(4e6, within(0.05e6));
    }

    @Test
    void aLoneEntityIsNeverPreempted() {
        Eevdf rq = queue(1024);
        assertThat(Ticks.run(rq, 0, 100 * MS, 4 * MS)).isZero();
        assertThat(rq.sumExecNs(0)).isEqualTo(100 * MS);
        assertThat(rq.runDelayNs(0, 100 * MS)).isZero();
    }
}
