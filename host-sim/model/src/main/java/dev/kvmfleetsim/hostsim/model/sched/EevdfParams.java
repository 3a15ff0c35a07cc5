package dev.kvmfleetsim.hostsim.model.sched;

/**
 * Parameters of one host EEVDF run queue ({@link Eevdf}): the kernel tunables and {@code SCHED_FEAT} switches the model
 * reads, by their kernel names (kvm-model §6.1 to §6.3), and the scheduler side of the directed-yield series (patches
 * 01 to 05, §6.5). All times in ns.
 *
 * @param baseSliceNs {@code sysctl_sched_base_slice}: 2.8 ms on hosts with 8 or more CPUs since v6.15 (§6.1)
 * @param tickNs {@code TICK_NSEC}, which enters the saved-lag clamp {@code calc_delta_fair(max(2·r, TICK_NSEC))}, and the
 *     host tick's period: 1 ms for HZ=1000, the CONFIG_HZ of RHEL's and Fedora's kernels, on which the series was most
 *     likely measured (the seeds do not say; §6.1, [I]). The run queue itself is ticked by its caller via {@link Eevdf#updateCurr(long)}
 * @param delayDequeue {@code SCHED_FEAT(DELAY_DEQUEUE)}: an ineligible sleeper stays queued as {@code sched_delayed}
 *     (§6.2)
 * @param delayZero {@code SCHED_FEAT(DELAY_ZERO)}: the delayed entity's positive lag is clipped to 0 when it finally
 *     leaves or is woken (§6.2)
 * @param pickBuddy {@code SCHED_FEAT(PICK_BUDDY)}: {@code pick_eevdf} returns {@code cfs_rq->next} if it is eligible
 *     (§6.3)
 * @param runToParity {@code SCHED_FEAT(RUN_TO_PARITY)}: the slice protection runs to the queue's minimum slice instead
 *     of the base slice (§6.3 step 4)
 * @param eevdfLagCredit {@code SCHED_FEAT(YIELD_TO_LAG_CREDIT)} of the series: credit lag to an ineligible
 *     same-rq yield target and force a rate-limited local resched (§6.5)
 * @param lagCreditK the patch 02 margin scale k: margin = k · nr_queued · base vslice, capped at the entity's lag
 *     limit ([I]: the scaling law is unpublished; the default 0.02, 56 µs of lag per queued entity at the base slice,
 *     is the cover letter's "small positive-vlag margin"; 0.25, one base slice at depth 4, made the series lose
 *     throughput with libvirt's per-vCPU groups, docs/model.md)
 * @param forcedReschedIntervalNs patch 05: the forced local resched happens at most once per this interval per rq
 *     (6 ms, §6.5)
 * @param balanceIntervalNs the periodic load balance's interval on a busy CPU ({@code get_sd_balance_interval(sd,
 *     cpu_busy)} = {@code sd->balance_interval × sd->busy_factor}); 0 (the default) derives it from the host as the
 *     kernel does for one flat domain of n CPUs: {@code sd_init} sets {@code balance_interval = sd_weight} ms (n ms)
 *     and {@code busy_factor = 16}, so 16 pCPUs balance every 16 × 16 = 256 ms while busy (kernel/sched/topology.c)
 */
public record EevdfParams(
        long baseSliceNs,
        long tickNs,
        boolean delayDequeue,
        boolean delayZero,
        boolean pickBuddy,
        boolean runToParity,
        boolean eevdfLagCredit,
        double lagCreditK,
        long forcedReschedIntervalNs,
        long balanceIntervalNs) {

    public EevdfParams {
        if (baseSliceNs <= 0 || tickNs <= 0) {
            throw new IllegalArgumentException("base slice and tick must be positive");
        }
        if (!(lagCreditK >= 0) || Double.isInfinite(lagCreditK)) {
            throw new IllegalArgumentException("lagCreditK must be a finite number >= 0");
        }
        if (forcedReschedIntervalNs < 0) {
            throw new IllegalArgumentException("forcedReschedIntervalNs must be >= 0");
        }
        if (balanceIntervalNs < 0) {
            throw new IllegalArgumentException("balanceIntervalNs must be >= 0");
        }
    }

    /**
     * Kernel defaults (v7.1 with the series applied: {@code YIELD_TO_LAG_CREDIT} defaults on, V3-00): 2.8 ms base slice,
     * HZ=250, DELAY_DEQUEUE, DELAY_ZERO, PICK_BUDDY and RUN_TO_PARITY on, k = 0.02, 6 ms forced-resched interval.
     */
    public static EevdfParams defaults() {
        return new EevdfParams(2_800_000L, 1_000_000L, true, true, true, true, true, 0.02, 6_000_000L, 0L);
    }

    /** Upstream without the series: {@link #defaults()} with {@code eevdfLagCredit} off. */
    public static EevdfParams upstream() {
        return defaults().withLagCredit(false);
    }

    public EevdfParams withLagCredit(boolean on) {
        return new EevdfParams(
                baseSliceNs,
                tickNs,
                delayDequeue,
                delayZero,
                pickBuddy,
                runToParity,
                on,
                lagCreditK,
                forcedReschedIntervalNs,
                balanceIntervalNs);
    }

    public EevdfParams withLagCreditK(double k) {
        return new EevdfParams(
                baseSliceNs,
                tickNs,
                delayDequeue,
                delayZero,
                pickBuddy,
                runToParity,
                eevdfLagCredit,
                k,
                forcedReschedIntervalNs,
                balanceIntervalNs);
    }

    public EevdfParams withDelayDequeue(boolean on) {
        return new EevdfParams(
                baseSliceNs,
                tickNs,
                on,
                delayZero,
                pickBuddy,
                runToParity,
                eevdfLagCredit,
                lagCreditK,
                forcedReschedIntervalNs,
                balanceIntervalNs);
    }

    public EevdfParams withPickBuddy(boolean on) {
        return new EevdfParams(
                baseSliceNs,
                tickNs,
                delayDequeue,
                delayZero,
                on,
                runToParity,
                eevdfLagCredit,
                lagCreditK,
                forcedReschedIntervalNs,
                balanceIntervalNs);
    }

    public EevdfParams withRunToParity(boolean on) {
        return new EevdfParams(
                baseSliceNs,
                tickNs,
                delayDequeue,
                delayZero,
                pickBuddy,
                on,
                eevdfLagCredit,
                lagCreditK,
                forcedReschedIntervalNs,
                balanceIntervalNs);
    }

    public EevdfParams withTickNs(long ns) {
        return new EevdfParams(
                baseSliceNs,
                ns,
                delayDequeue,
                delayZero,
                pickBuddy,
                runToParity,
                eevdfLagCredit,
                lagCreditK,
                forcedReschedIntervalNs,
                balanceIntervalNs);
    }
}
