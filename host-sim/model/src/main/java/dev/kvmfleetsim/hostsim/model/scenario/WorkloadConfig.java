package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * The guest workload every vCPU of every VM runs (kvm-model §7): a loop of building blocks whose mix and sizes are set
 * by {@link #mix()} and may be overridden field by field. A field left at -1 takes the mix's value (see
 * {@link WorkloadMix#resolve}).
 *
 * <p>One loop iteration on a vCPU: (pipeline stages after the first: wait for an item) → user-mode compute → with
 * probability {@code lockProbability} a spinlock-protected kernel critical section → with probability
 * {@code callProbability} an {@code smp_call_function_many} to {@code callFanout} other vCPUs (0 = all), waiting for
 * every target's handler (TLB-shootdown style) → kernel compute → with probability {@code blockProbability} the task
 * blocks (the vCPU idles, HLT) until {@code blockWake} wakes it → (pipeline: hand the item to the next stage, with a
 * reschedule IPI if that vCPU waits idle) → iteration done.
 *
 * @param mix the named mix, or NONE for no workload (only the IPI/device sources run)
 * @param userNs mean user-mode (CPL3) compute per iteration
 * @param kernelNs mean kernel-mode (CPL0) compute per iteration
 * @param lockProbability chance of a critical section per iteration
 * @param locks number of spinlocks per VM (shared by all its vCPUs)
 * @param criticalSectionNs mean critical-section length
 * @param callProbability chance of a synchronous cross-CPU function call per iteration
 * @param callFanout targets per call; 1 is {@code smp_call_function_single} (a unicast IPI), 0 all other vCPUs
 * @param callHandlerNs the targets' callback (handler) length
 * @param pipelineStages 0 for independent vCPUs; otherwise vCPU i is in stage i mod stages and hands items on
 * @param blockProbability chance per iteration that the task sleeps (review M2: a guest that blocks)
 * @param blockNs mean sleep for {@link BlockWake#DEVICE} (the I/O's service time) and {@link BlockWake#TIMER}
 * @param blockWake what ends the sleep; null takes the mix's
 */
public record WorkloadConfig(
        WorkloadMix mix,
        long userNs,
        long kernelNs,
        double lockProbability,
        int locks,
        long criticalSectionNs,
        double callProbability,
        int callFanout,
        long callHandlerNs,
        int pipelineStages,
        double blockProbability,
        long blockNs,
        BlockWake blockWake) {

    /**
     * The vector of the block-device queue's MSI that {@link BlockWake#DEVICE} completions use on every vCPU (Linux
     * allocates device vectors low, from 0x21, below its system vectors); the scenario's own sources must not use it.
     */
    public static final int IO_COMPLETION_VECTOR = 0x22;

    public static WorkloadConfig defaults() {
        return new WorkloadConfig(WorkloadMix.NONE, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, null);
    }

    /** What wakes a task that blocked (kvm-model §7; each a path into the guest the model already has). */
    public enum BlockWake {
        /**
         * A synchronous I/O: the guest rings a virtio doorbell (an {@code EPT_MISCONFIG} exit to an ioeventfd), idles,
         * and the completion arrives {@code block_ns} later as the queue's MSI on this vCPU (blk-mq's per-CPU queue
         * map), whose handler wakes the task.
         */
        DEVICE,
        /** A timed sleep (hrtimer): a TSC-deadline write (fastpath MSR_WRITE), idle, the LAPIC timer wakes it. */
        TIMER,
        /**
         * A futex or sleeping-lock wait: the next vCPU of the VM to end an iteration wakes the longest sleeper with a
         * reschedule IPI ({@code futex_wake} / {@code rwsem_wake} → {@code ttwu} → {@code smp_send_reschedule}).
         */
        IPI
    }

    /** The values in effect: every -1 replaced by the mix's value. */
    public WorkloadConfig resolved() {
        return mix.resolve(this);
    }
}
