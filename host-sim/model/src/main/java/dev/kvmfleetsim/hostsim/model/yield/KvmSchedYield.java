package dev.kvmfleetsim.hostsim.model.yield;

import java.util.function.LongToIntFunction;

/**
 * {@code kvm_sched_yield(vcpu, dest_id)}, the paravirtual directed yield of {@code KVM_HC_SCHED_YIELD} and of
 * {@code KVM_HC_KICK_CPU} after the kick (kvm-model §5.5), with the per-vCPU statistics
 * {@code directed_yield_attempted} and {@code directed_yield_successful}. PLE's {@link DirectedYield} never touches
 * these counters. Not thread-safe.
 */
public final class KvmSchedYield {
    /** Where {@code kvm_sched_yield} ended. */
    public enum Outcome {
        /** {@code single_task_running()}: nothing else to run on this pCPU, give up. */
        SINGLE_TASK,
        /** The APIC ID maps to no vCPU (no map, out of range, or an empty slot). */
        NO_TARGET,
        /** The target is not {@code ready}. */
        TARGET_NOT_READY,
        /** "Ignore requests to yield to self". */
        SELF,
        /** {@code kvm_vcpu_yield_to} returned &le; 0. */
        YIELD_FAILED,
        /** {@code kvm_vcpu_yield_to} returned &gt; 0; counted as {@code directed_yield_successful}. */
        YIELDED
    }

    private final VcpuView view;
    private final LongToIntFunction apicIdToVcpu;
    private final long[] attempted;
    private final long[] successful;

    /**
     * @param maxVcpus capacity of the per-vCPU counters
     * @param view the vCPUs of the VM (only {@code ready} and {@code yieldTo} are used)
     * @param apicIdToVcpu the physical APIC map lookup ({@code map->phys_map[dest_id]->vcpu}): vCPU index, or -1 if
     *     none
     */
    public KvmSchedYield(int maxVcpus, VcpuView view, LongToIntFunction apicIdToVcpu) {
        this.view = view;
        this.apicIdToVcpu = apicIdToVcpu;
        attempted = new long[maxVcpus];
        successful = new long[maxVcpus];
    }

    /**
     * Runs {@code kvm_sched_yield} for vCPU {@code me} (§5.5), in the kernel's order.
     *
     * @param me the vCPU making the hypercall
     * @param destApicId the hypercall's APIC ID argument
     * @param singleTaskRunning {@code single_task_running()} on me's pCPU
     */
    public Outcome schedYield(int me, long destApicId, boolean singleTaskRunning) {
        attempted[me]++;
        if (singleTaskRunning) {
            return Outcome.SINGLE_TASK;
        }
        int target = apicIdToVcpu.applyAsInt(destApicId);
        if (target < 0) {
            return Outcome.NO_TARGET;
        }
        if (!view.ready(target)) {
            return Outcome.TARGET_NOT_READY;
        }
        if (target == me) {
            return Outcome.SELF;
        }
        if (view.yieldTo(me, target) <= 0) {
            return Outcome.YIELD_FAILED;
        }
        successful[me]++;
        return Outcome.YIELDED;
    }

    /** {@code vcpu->stat.directed_yield_attempted}. */
    public long directedYieldAttempted(int vcpu) {
        return attempted[vcpu];
    }

    /** {@code vcpu->stat.directed_yield_successful}. */
    public long directedYieldSuccessful(int vcpu) {
        return successful[vcpu];
    }

    /** Sum of {@code directed_yield_attempted} over the VM's vCPUs. */
    public long directedYieldAttemptedTotal() {
        long s = 0;
        for (long a : attempted) {
            s += a;
        }
        return s;
    }

    /** Sum of {@code directed_yield_successful} over the VM's vCPUs. */
    public long directedYieldSuccessfulTotal() {
        long s = 0;
        for (long a : successful) {
            s += a;
        }
        return s;
    }
}
