package dev.kvmfleetsim.hostsim.model.sched;

import static dev.kvmfleetsim.hostsim.model.sched.Ticks.MS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Virtual time, V, eligibility, the lag clamp and initial placement (kvm-model §6.1, §6.2). */
class EevdfArithmeticTest {

    @Test
    void calcDeltaFairScalesByNiceZeroOverWeight() {
        assertThat(Eevdf.calcDeltaFair(1_000_000, 1024)).isEqualTo(1_000_000);
        assertThat(Eevdf.calcDeltaFair(1_000_000, 2048)).isEqualTo(500_000);
        assertThat(Eevdf.calcDeltaFair(1_000_000, 15)).isEqualTo(68_266_666);
        assertThat(Eevdf.weightOfNice(0)).isEqualTo(1024);
        assertThat(Eevdf.weightOfNice(1)).isEqualTo(820);
        assertThat(Eevdf.weightOfNice(-20)).isEqualTo(88761);
        assertThat(Eevdf.weightOfNice(19)).isEqualTo(15);
    }

    @Test
    void vIsTheWeightedAverageOverQueuedEntitiesAndCurr() {
        Eevdf rq = new Eevdf(EevdfParams.upstream());
        int a = rq.addEntity(1024);
        int b = rq.addEntity(2048);
        rq.enqueue(a, 0, true);
        rq.enqueue(b, 0, true);
        rq.setCurr(a, 0);
        rq.updateCurr(3 * MS);
        assertThat(rq.vruntime(a)).isEqualTo(3 * MS);
        // (1024·3 ms + 2048·0) / 3072
        assertThat(rq.avgVruntime()).isEqualTo(1 * MS);

        rq.setCurr(b, 3 * MS);
        rq.updateCurr(4_500_000);
        assertThat(rq.vruntime(b))
                .as("a weight-2048 entity advances at half speed")
                .isEqualTo(750_000);
        // (1024·3 + 2048·0.75) / 3072 = 1.5 ms, curr b counted once although it is off-tree
        assertThat(rq.avgVruntime()).isEqualTo(1_500_000).isEqualTo(Ticks.recomputedV(rq));
        assertThat(rq.eligible(a)).isFalse();
        assertThat(rq.eligible(b)).isTrue();
        assertThat(rq.lag(a)).isEqualTo(-1_500_000);
        assertThat(rq.lag(b)).isEqualTo(750_000);
    }

    @Test
    void eligibilityIsExactAtTheBoundaryAndVRoundsDown() {
        Eevdf rq = new Eevdf(EevdfParams.upstream());
        int a = rq.addEntity(1024);
        int b = rq.addEntity(1024);
        int c = rq.addEntity(1024);
        rq.enqueue(a, 0, true);
        rq.enqueue(b, 0, true);
        rq.enqueue(c, 0, true);
        assertThat(rq.eligible(a)).as("v == V is eligible").isTrue();
        assertThat(rq.eligible(b)).isTrue();

        rq.setCurr(a, 0);
        rq.updateCurr(1); // v_a = 1 ns, V = 1/3 ns
        assertThat(rq.avgVruntime()).isZero();
        assertThat(rq.eligible(a))
                .as("1 > 1/3: the test uses the exact sum, not the rounded V")
                .isFalse();
        assertThat(rq.eligible(b)).isTrue();

        rq.updateCurr(2); // 2/3
        rq.setCurr(b, 2);
        rq.updateCurr(3); // v = 2, 1, 0: V = 1 exactly
        assertThat(rq.avgVruntime()).isEqualTo(1);
        assertThat(rq.eligible(b)).isTrue();
        assertThat(rq.eligible(a)).isFalse();
        assertThat(rq.eligible(c)).isTrue();
    }

    @Test
    void savedLagIsClampedToTwoSlicesOrATick() {
        Eevdf rq = new Eevdf(EevdfParams.upstream().withDelayDequeue(false));
        int a = rq.addEntity(1024);
        int b = rq.addEntity(1024);
        rq.enqueue(a, 0, true);
        rq.enqueue(b, 0, true);
        rq.setCurr(a, 0);
        rq.updateCurr(100 * MS); // no pick: a hogs the CPU, lag ±50 ms
        assertThat(rq.lag(a)).isEqualTo(-50 * MS);
        assertThat(rq.lag(b)).isEqualTo(50 * MS);
        long limit = rq.lagLimit(a);
        assertThat(limit).as("max(2 · 2.8 ms, 4 ms)").isEqualTo(5_600_000);

        rq.dequeue(a, 100 * MS, true);
        assertThat(rq.vlag(a)).isEqualTo(-limit);
        rq.dequeue(b, 100 * MS, true);
        assertThat(rq.vlag(b)).as("V = v_b once a is gone: lag 0").isZero();

        Eevdf rq2 = new Eevdf(EevdfParams.upstream().withTickNs(8 * MS));
        int x = rq2.addEntity(2048);
        assertThat(rq2.lagLimit(x)).as("the tick dominates, scaled by 1024/w").isEqualTo(4 * MS);
    }

    @Test
    void newEntityGetsHalfASliceThenFullSlices() {
        Eevdf rq = new Eevdf(EevdfParams.upstream().withDelayDequeue(false));
        int a = rq.addEntity(1024);
        int b = rq.addEntity(2048);
        rq.enqueue(a, 0, true);
        rq.enqueue(b, 0, true);
        assertThat(rq.deadline(a) - rq.vruntime(a)).isEqualTo(1_400_000);
        assertThat(rq.deadline(b) - rq.vruntime(b))
                .as("half of vslice = 2.8 ms · 1024/2048")
                .isEqualTo(700_000);
        assertThat(rq.vslice(b)).isEqualTo(1_400_000);

        rq.dequeue(a, 0, true);
        rq.enqueue(a, 1 * MS, true);
        assertThat(rq.deadline(a) - rq.vruntime(a))
                .as("a wakeup gets a full vslice")
                .isEqualTo(2_800_000);
    }

    @Test
    void customSliceSetsTheRequestSize() {
        Eevdf rq = new Eevdf(EevdfParams.upstream());
        int a = rq.addEntity(1024, 1 * MS);
        rq.enqueue(a, 0, true);
        assertThat(rq.sliceNs(a)).isEqualTo(1 * MS);
        assertThat(rq.lagLimit(a)).as("max(2 ms, 1 ms tick)").isEqualTo(2 * MS);
        assertThat(rq.deadline(a) - rq.vruntime(a)).isEqualTo(500_000);
    }
}
