package dev.kvmfleetsim.hostsim.model.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvmfleetsim.hostsim.model.sched.CfsHierarchy;
import dev.kvmfleetsim.hostsim.model.sched.TaskGroups;
import org.junit.jupiter.api.Test;

/** {@code host.cgroup_layout} wired into {@link PcpuScheduler}: the task groups and yield_to through them (§6.4). */
class CgroupLayoutTest {

    /** Two VMs of two vCPUs; vCPU threads 0 and 1 (VM 0) and 2 and 3 (VM 1) on pCPUs 0, 1, 0, 1 (spread). */
    private static HostHarness twoVms(String layout) {
        HostHarness h = HostHarness.boot("""
                {"name": "layout", "seed": 7, "duration_ns": 1000000000,
                 "host": {"pcpus": 2, "placement": "spread", "nohz_full": true, "cgroup_layout": "%s"},
                 "vms": {"count": 2, "vcpus": 2}, "guest": {"idle_ns_mean": 0}}
                """.formatted(layout));
        h.runUntil(1_000_000);
        return h;
    }

    @Test
    void perVcpuPutsEachThreadInItsOwnGroupUnderItsVmScope() {
        HostHarness h = twoVms("per_vcpu");
        CfsHierarchy cfs = h.parts.scheduler.cfs();
        Vcpu v = h.vcpu(3);
        int leaf = cfs.taskGroup(v.entity);
        assertThat(leaf).isEqualTo(TaskGroups.perVcpuLeaf(new int[] {2, 2}, 1, 1));
        assertThat(cfs.parentGroup(leaf)).as("VM 1's scope").isEqualTo(3);
        assertThat(cfs.parentGroup(3)).as("machine.slice").isEqualTo(1);
        assertThat(cfs.cfsRq(v.pcpu, leaf).nrQueued())
                .as("one thread per leaf cfs_rq")
                .isOne();
        assertThat(cfs.nrRunning(v.pcpu)).isEqualTo(2);
    }

    @Test
    void perVmAndFlatLayouts() {
        HostHarness vm = twoVms("per_vm");
        assertThat(vm.parts.scheduler.cfs().taskGroup(vm.vcpu(2).entity)).isEqualTo(2);
        HostHarness flat = twoVms("flat");
        assertThat(flat.parts.scheduler.cfs().taskGroup(flat.vcpu(2).entity)).isEqualTo(TaskGroups.ROOT);
    }

    @Test
    void aDirectedYieldSetsTheBuddyAtEveryLevelAndMarksBothCpus() {
        HostHarness h = twoVms("per_vcpu");
        CfsHierarchy cfs = h.parts.scheduler.cfs();
        // pCPU 0 runs one of vCPU 0 (VM 0) and vCPU 2 (VM 1); the yield goes to VM 0's vCPU 1, waiting or running on
        // pCPU 1
        Vcpu me = cfs.running(0) == h.vcpu(0).entity ? h.vcpu(0) : h.vcpu(2);
        Vcpu target = h.vcpu(me.vm.index * 2 + 1);
        if (target.mode != VcpuMode.RUNNABLE) {
            assertThat(h.parts.scheduler.yieldTo(me, target))
                    .as("the target is running")
                    .isZero();
            return;
        }
        assertThat(h.parts.scheduler.yieldTo(me, target)).isOne();
        int tg = cfs.taskGroup(target.entity);
        assertThat(cfs.cfsRq(target.pcpu, cfs.parentGroup(tg)).nextBuddy()).isEqualTo(cfs.groupEntity(target.pcpu, tg));
        assertThat(cfs.needResched(me.pcpu)).isTrue();
        assertThat(target.pcpu).isNotEqualTo(me.pcpu);
        assertThat(h.ctx.scenario.host().cgroupLayout().name()).isEqualTo("PER_VCPU");
    }
}
