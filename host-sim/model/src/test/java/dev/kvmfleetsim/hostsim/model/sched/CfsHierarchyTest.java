package dev.kvmfleetsim.hostsim.model.sched;

import static dev.kvmfleetsim.hostsim.model.sched.Ticks.MS;
import static dev.kvmfleetsim.hostsim.model.sched.Ticks.US;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Group scheduling through {@link CfsHierarchy}: levels, shares, buddies, preemption, migration (kvm-model §6). */
class CfsHierarchyTest {

    /** Ticks CPU p every {@code tickNs} in (from, to], picking whenever a resched is requested. */
    static void run(CfsHierarchy h, int p, long fromNs, long toNs, long tickNs) {
        for (long t = fromNs + tickNs; t <= toNs; t += tickNs) {
            if (h.tick(p, t)) {
                h.pick(p, t);
            }
        }
    }

    /** Run time of a task: its entity's sum_exec_runtime in its leaf cfs_rq. */
    static long exec(CfsHierarchy h, int t) {
        return h.cfsRq(h.taskPcpu(t), h.taskGroup(t)).sumExecNs(h.taskEntity(t));
    }

    @Test
    void perVmGroupsShareACpuEquallyWhateverTheirVcpuCount() {
        CfsHierarchy h = new CfsHierarchy(EevdfParams.defaults(), 1, TaskGroups.perVm(2));
        int a = h.addTask(1, 0, 1024);
        int[] b = {h.addTask(2, 0, 1024), h.addTask(2, 0, 1024), h.addTask(2, 0, 1024)};
        h.enqueue(a, 0, false);
        for (int t : b) {
            h.enqueue(t, 0, false);
        }
        h.pick(0, 0);
        assertThat(h.cfsRq(0, 0).weight(h.groupEntity(0, 1)))
                .as("one CPU: the whole tg->shares")
                .isEqualTo(1024);
        assertThat(h.cfsRq(0, 0).weight(h.groupEntity(0, 2))).isEqualTo(1024);
        long end = 3_000 * MS;
        run(h, 0, 0, end, 1 * MS);
        long vmB = exec(h, b[0]) + exec(h, b[1]) + exec(h, b[2]);
        assertThat(exec(h, a) + vmB).isEqualTo(end);
        assertThat((double) exec(h, a) / end).as("VM A's share").isCloseTo(0.5, within(0.01));

        CfsHierarchy flat = new CfsHierarchy(EevdfParams.defaults(), 1, TaskGroups.flat());
        for (int i = 0; i < 4; i++) {
            flat.enqueue(flat.addTask(0, 0, 1024), 0, false);
        }
        flat.pick(0, 0);
        run(flat, 0, 0, end, 1 * MS);
        assertThat((double) exec(flat, 0) / end).as("flat: one task of four").isCloseTo(0.25, within(0.01));
    }

    @Test
    void aVmSpreadOverCpusWeighsItsSharesDividedByItsRunnableThreads() {
        CfsHierarchy h = new CfsHierarchy(EevdfParams.defaults(), 4, TaskGroups.perVm(1));
        for (int p = 0; p < 4; p++) {
            h.enqueue(h.addTask(1, p, 1024), 0, false);
        }
        for (int p = 0; p < 4; p++) {
            h.pick(p, 0);
        }
        for (int p = 0; p < 4; p++) {
            h.tick(p, 1 * MS); // update_cfs_group at the tick sees the other CPUs' load
        }
        for (int p = 0; p < 4; p++) {
            assertThat(h.shares(p, 1)).isEqualTo(256);
            assertThat(h.cfsRq(p, 0).weight(h.groupEntity(p, 1)))
                    .as("cpu %d", p)
                    .isEqualTo(256);
        }
        long v = h.cfsRq(0, 0).vruntime(h.groupEntity(0, 1));
        h.tick(0, 2 * MS);
        assertThat(h.cfsRq(0, 0).vruntime(h.groupEntity(0, 1)) - v)
                .as("the group entity's vruntime advances at 1024/256 = 4 ns per ns")
                .isEqualTo(4 * MS);
    }

    @Test
    void wakeupPreemptionComparesAtTheMatchingLevel() {
        // VM 1: x running with y queued; VM 2 idle. A wakee of VM 1 is compared with x inside VM 1's cfs_rq, a wakee
        // of VM 2 with VM 1's group entity at the root.
        CfsHierarchy h = new CfsHierarchy(EevdfParams.defaults(), 1, TaskGroups.perVm(2));
        int x = h.addTask(1, 0, 1024);
        int y = h.addTask(1, 0, 1024);
        int z = h.addTask(2, 0, 1024);
        h.enqueue(x, 0, false);
        h.pick(0, 0);
        run(h, 0, 0, 11 * MS, 1 * MS);
        assertThat(h.running(0)).isEqualTo(x);
        // x alone renews its deadline at the ticks of 2, 5, 8 and 11 ms: d = 13.8 ms. y wakes at 11 ms into VM 1 at
        // V = 11 ms, d = 11 + 1.4 ms: eligible with the earlier deadline, compared with x inside VM 1
        Eevdf vm1 = h.cfsRq(0, 1);
        assertThat(vm1.deadline(h.taskEntity(x))).isEqualTo(13_800_000L);
        assertThat(h.enqueue(y, 11 * MS, true)).as("y preempts x inside VM 1").isTrue();
        assertThat(vm1.deadline(h.taskEntity(y))).isEqualTo(12_400_000L);
        h.pick(0, 11 * MS);
        assertThat(h.running(0)).isEqualTo(y);
        run(h, 0, 11 * MS, 12 * MS, 1 * MS);
        // z wakes into VM 2 at 12 ms: at the root it meets VM 1's entity (v = 12 ms, d = 13.8 ms); VM 2 is placed at
        // V = 12 ms with half a slice, d = 13.4 ms
        Eevdf root = h.cfsRq(0, 0);
        assertThat(root.deadline(h.groupEntity(0, 1))).isEqualTo(13_800_000L);
        assertThat(h.enqueue(z, 12 * MS, true))
                .as("compared at the root, VM 2 preempts VM 1")
                .isTrue();
        assertThat(root.deadline(h.groupEntity(0, 2))).isEqualTo(13_400_000L);
        assertThat(h.pick(0, 12 * MS)).isEqualTo(z);
        assertThat(h.cfsRq(0, 1).curr()).as("VM 1's cfs_rq is put back").isEqualTo(-1);
    }

    @Test
    void migrationMovesTheWholeChain() {
        CfsHierarchy h = new CfsHierarchy(EevdfParams.defaults(), 2, TaskGroups.perVm(1));
        int a = h.addTask(1, 0, 1024);
        int b = h.addTask(1, 0, 1024);
        h.enqueue(a, 0, false);
        h.enqueue(b, 0, false);
        h.pick(0, 0);
        run(h, 0, 0, 1 * MS, 1 * MS);
        assertThat(h.nrRunning(0)).isEqualTo(2);
        assertThat(h.migrate(b, 1, 1 * MS)).as("the idle CPU reschedules").isTrue();
        assertThat(h.nrRunning(0)).isOne();
        assertThat(h.nrRunning(1)).isOne();
        assertThat(h.cfsRq(1, 0).isQueued(h.groupEntity(1, 1))).isTrue();
        assertThat(h.pick(1, 1 * MS)).isEqualTo(b);
        assertThat(h.taskPcpu(b)).isEqualTo(1);
    }

    @Test
    void aGroupWhoseTaskSleepsIsDequeuedAndATaskThatSleepsLeavesItsGroupAsBuddy() {
        CfsHierarchy h = new CfsHierarchy(EevdfParams.upstream(), 1, TaskGroups.perVm(2));
        int a1 = h.addTask(1, 0, 1024);
        int a2 = h.addTask(1, 0, 1024);
        int b = h.addTask(2, 0, 1024);
        h.enqueue(a1, 0, false);
        h.enqueue(a2, 0, false);
        h.enqueue(b, 0, false);
        assertThat(h.pick(0, 0)).isEqualTo(a1);
        // a1 sleeps at once (eligible: really dequeued); VM 1 still has a2: CGROUP_BUDDY nominates VM 1 at the root
        assertThat(h.dequeue(a1, 0, true)).isTrue();
        assertThat(h.cfsRq(0, 0).nextBuddy()).isEqualTo(h.groupEntity(0, 1));
        assertThat(h.pick(0, 0)).isEqualTo(a2);
        assertThat(h.dequeue(a2, 0, true)).isTrue();
        assertThat(h.cfsRq(0, 0).isQueued(h.groupEntity(0, 1)))
                .as("empty group leaves the root")
                .isFalse();
        assertThat(h.pick(0, 0)).isEqualTo(b);
        assertThat(h.nrRunning(0)).isOne();
    }

    /**
     * The flat layout is the flat run queue: the same random sequence of wake-ups, sleeps, ticks, picks and
     * same-rq yields on one {@link Eevdf} and on a flat hierarchy gives the same picks and the same virtual times.
     */
    @Test
    void theFlatLayoutReproducesTheFlatRunQueueExactly() {
        for (EevdfParams params : new EevdfParams[] {EevdfParams.defaults(), EevdfParams.upstream()}) {
            Eevdf rq = new Eevdf(params);
            CfsHierarchy h = new CfsHierarchy(params, 1, TaskGroups.flat());
            CfsYieldTo y = new CfsYieldTo(h);
            int n = 5;
            for (int i = 0; i < n; i++) {
                rq.addEntity(1024);
                h.addTask(0, 0, 1024);
                rq.enqueue(i, 0, false);
                h.enqueue(i, 0, false);
            }
            rq.pick(0);
            h.pick(0, 0);
            SplittableRandom r = new SplittableRandom(12);
            long now = 0;
            for (int step = 0; step < 20_000; step++) {
                now += 1 + r.nextInt(400) * US / 100;
                int op = r.nextInt(4);
                int t = r.nextInt(n);
                int c = rq.curr();
                if (op == 0) {
                    assertThat(h.tick(0, now)).isEqualTo(rq.updateCurr(now) || rq.needResched());
                } else if (op == 1 && c >= 0 && rq.isQueued(c)) {
                    assertThat(h.dequeue(c, now, true)).isEqualTo(rq.dequeue(c, now, true));
                    rq.pick(now);
                    h.pick(0, now);
                } else if (op == 2 && (!rq.isQueued(t) || rq.isDelayed(t))) {
                    rq.enqueue(t, now, true);
                    h.enqueue(t, now, true);
                } else if (op == 3 && c >= 0 && rq.isQueued(c)) {
                    assertThat(y.yieldTo(c, t, now, true)).isEqualTo(Eevdf.yieldTo(rq, c, rq, t, now, true));
                }
                assertThat(h.needResched(0)).as("step %d", step).isEqualTo(rq.needResched());
                if (rq.needResched()) {
                    assertThat(h.pick(0, now)).as("step %d", step).isEqualTo(rq.pick(now));
                }
                Eevdf hq = h.cfsRq(0, 0);
                for (int i = 0; i < n; i++) {
                    assertThat(hq.vruntime(i)).as("step %d v%d", step, i).isEqualTo(rq.vruntime(i));
                    assertThat(hq.deadline(i)).isEqualTo(rq.deadline(i));
                    assertThat(hq.isQueued(i)).isEqualTo(rq.isQueued(i));
                }
                assertThat(hq.nextBuddy()).isEqualTo(rq.nextBuddy());
                assertThat(h.nrRunning(0)).isEqualTo(rq.nrQueued());
            }
            assertThat(y.directedYields()).isPositive();
        }
    }
}
