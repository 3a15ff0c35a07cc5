package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * Named workload mixes shaped after the benchmarks the directed-yield series and its predecessors report
 * (kvm-model §8). They are caricatures with the same IPI, lock and idle structure, not the benchmarks themselves.
 */
public enum WorkloadMix {
    /** No guest workload loop. */
    NONE(0, 0, 0, 1, 0, 0, 0, 2_000, 0, 0, 0, WorkloadConfig.BlockWake.IPI),
    /**
     * PARSEC Dedup-like: a 4-stage pipeline handing items on with reschedule IPIs, and frequent synchronous
     * single-target calls (unicast IPIs waited for): the IPI-heavy case patch 09 targets (A1, A3). Its stages block
     * on empty queues (the pipeline), not on I/O: simlarge's input is read into memory before the timed region.
     */
    DEDUP_LIKE(150_000, 30_000, 0.10, 4, 3_000, 0.6, 1, 2_000, 4, 0, 0, WorkloadConfig.BlockWake.IPI),
    /**
     * VIPS-like: longer compute, some locking, some small multicast calls: mixed (A1, A3). [I] Its worker threads
     * wait on the thread pool's condition variable for the next region about once every 20 regions, woken by the
     * thread that hands work out (a futex wake: a reschedule IPI).
     */
    VIPS_LIKE(300_000, 30_000, 0.25, 4, 5_000, 0.3, 4, 2_000, 0, 0.05, 0, WorkloadConfig.BlockWake.IPI),
    /**
     * Dbench-like: short compute, most iterations in contended critical sections: lock-holder preemption (A1, A2).
     * [I] About one operation in 50 waits for the disk (dbench's loadfile mixes Flush and synchronous writes among
     * its reads and writes), for 100 µs, a virtio-blk request to a host NVMe device.
     */
    DBENCH_LIKE(60_000, 10_000, 0.6, 4, 10_000, 0.05, 1, 2_000, 0, 0.02, 100_000, WorkloadConfig.BlockWake.DEVICE),
    /**
     * ebizzy-like: allocation churn, TLB shootdowns to all vCPUs nearly every iteration (A7, A9). [I] One iteration
     * in 20 sleeps on the contended mmap lock (mmap/munmap take it for writing), woken by the releaser's IPI.
     */
    EBIZZY_LIKE(100_000, 10_000, 0.05, 1, 2_000, 0.8, 0, 3_000, 0, 0.05, 0, WorkloadConfig.BlockWake.IPI),
    /** hackbench-like: a 2-stage producer/consumer ping-pong of reschedule IPIs, no spinning (§7.3). */
    HACKBENCH_LIKE(30_000, 5_000, 0.0, 1, 1_000, 0.0, 1, 2_000, 2, 0, 0, WorkloadConfig.BlockWake.IPI);

    private final long userNs;
    private final long kernelNs;
    private final double lockProbability;
    private final int locks;
    private final long criticalSectionNs;
    private final double callProbability;
    private final int callFanout;
    private final long callHandlerNs;
    private final int pipelineStages;
    private final double blockProbability;
    private final long blockNs;
    private final WorkloadConfig.BlockWake blockWake;

    WorkloadMix(
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
            WorkloadConfig.BlockWake blockWake) {
        this.userNs = userNs;
        this.kernelNs = kernelNs;
        this.lockProbability = lockProbability;
        this.locks = locks;
        this.criticalSectionNs = criticalSectionNs;
        this.callProbability = callProbability;
        this.callFanout = callFanout;
        this.callHandlerNs = callHandlerNs;
        this.pipelineStages = pipelineStages;
        this.blockProbability = blockProbability;
        this.blockNs = blockNs;
        this.blockWake = blockWake;
    }

    /** Replaces every -1 of {@code c} with this mix's value. */
    WorkloadConfig resolve(WorkloadConfig c) {
        return new WorkloadConfig(
                this,
                c.userNs() < 0 ? userNs : c.userNs(),
                c.kernelNs() < 0 ? kernelNs : c.kernelNs(),
                c.lockProbability() < 0 ? lockProbability : c.lockProbability(),
                c.locks() < 0 ? locks : c.locks(),
                c.criticalSectionNs() < 0 ? criticalSectionNs : c.criticalSectionNs(),
                c.callProbability() < 0 ? callProbability : c.callProbability(),
                c.callFanout() < 0 ? callFanout : c.callFanout(),
                c.callHandlerNs() < 0 ? callHandlerNs : c.callHandlerNs(),
                c.pipelineStages() < 0 ? pipelineStages : c.pipelineStages(),
                c.blockProbability() < 0 ? blockProbability : c.blockProbability(),
                c.blockNs() < 0 ? blockNs : c.blockNs(),
                c.blockWake() == null ? blockWake : c.blockWake());
    }
}
