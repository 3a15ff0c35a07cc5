package dev.kvmfleetsim.hostsim.model.sched;

/**
 * {@code yield_to()} through a {@link CfsHierarchy} (kvm-model §5.4, §6.4, §6.5): {@code set_next_buddy} on every level
 * of the target's chain, {@code yield_task_fair}'s forfeit on the yielder's leaf cfs_rq, and the series: patch 04's
 * lag credit of each not-yet-eligible level of the target's chain (same run queue only, the cover letter's "Scope"),
 * and patch 05's forced local resched, which cancels the slice protection along the yielder's chain, at most once per
 * {@link EevdfParams#forcedReschedIntervalNs()} per run queue. Holds the per-CPU state of the rate limit and the
 * counters. Allocates nothing; not thread-safe.
 *
 * <p>[I] Where the series acts (the cover letter gives no code): both patch 04's credit and patch 05's protection
 * cancel stop at the cfs_rq of the lowest common ancestor (LCA) group of yielder and target, the level where their
 * chains are siblings ("applied at the cgroup LCA", as the v2 debooster was); above it the entities are the yielder's
 * own running ancestors, shared with the target. The credit needs target and yielder on one run queue (the cover
 * letter's "Scope"); the forced resched acts on every successful yield of the local run queue. With the credit, a
 * same-rq target's chain is an eligible buddy at every level up to the LCA, so patch 05 changes the pick only after a
 * cross-rq yield: at the LCA level, where the yielder's still protected group entity would otherwise be picked
 * again (the cover letter: "RUN_TO_PARITY can keep pick_eevdf() returning the yielder").
 */
public final class CfsYieldTo {
    private final CfsHierarchy h;
    private final boolean[] forcedEver;
    private final long[] lastForcedNs;

    private long directedYields;
    private long forfeits;
    private long creditsApplied;
    private long forcedResched;

    public CfsYieldTo(CfsHierarchy h) {
        this.h = h;
        this.forcedEver = new boolean[h.pcpuCount()];
        this.lastForcedNs = new long[h.pcpuCount()];
    }

    /**
     * {@code yield_to(target, preempt)} from {@code yielder}, the task running on its CPU, in the kernel's order:
     * −{@link Eevdf#ESRCH} if both CPUs run exactly one task; 0 if either thread is RT; 0 if the target is running or
     * not runnable; else {@code yield_to_task_fair} with the series, the yielder's CPU marked for a resched (it calls
     * {@code schedule()}), and the target's CPU too if it differs and {@code preempt}.
     *
     * @return 1 if the target was boosted, 0 on failure, −ESRCH if yielding is pointless
     */
    public int yieldTo(int yielder, int target, long nowNs, boolean preempt) {
        int p = h.taskPcpu(yielder);
        int tp = h.taskPcpu(target);
        if (h.running(p) != yielder) {
            throw new IllegalStateException("the yielder must be the running task of its CPU");
        }
        if (h.nrRunning(p) == 1 && h.nrRunning(tp) == 1) {
            return -Eevdf.ESRCH;
        }
        Eevdf leaf = h.rqs[p][h.taskGroup(yielder)];
        Eevdf tleaf = h.rqs[tp][h.taskGroup(target)];
        int ys = h.taskEntity(yielder);
        int ts = h.taskEntity(target);
        if (leaf.isRt(ys) || tleaf.isRt(ts)) {
            return 0;
        }
        if (h.running(tp) == target || !tleaf.isQueued(ts) || tleaf.isDelayed(ts)) {
            return 0;
        }
        boolean sameRq = p == tp;
        updateChain(p, yielder, nowNs);
        if (!sameRq && h.running(tp) >= 0) {
            updateChain(tp, h.running(tp), nowNs);
        }
        h.setNextBuddy(tp, h.taskGroup(target), ts);
        boolean series = h.params.eevdfLagCredit();
        int lca = series ? lca(yielder, target) : TaskGroups.ROOT;
        if (series && sameRq) {
            creditChain(p, h.taskGroup(target), ts, lca);
        }
        // yield_task_fair(rq): nothing if the rq runs one task; clear_buddies, update_curr(leaf), forfeit if eligible
        if (h.nrRunning(p) > 1) {
            h.clearBuddies(p, h.taskGroup(yielder), ys);
            leaf.updateCurr(nowNs);
            leaf.takeResched();
            if (leaf.forfeitIfEligible(ys)) {
                forfeits++;
            }
        }
        if (series && (!forcedEver[p] || nowNs - lastForcedNs[p] >= h.params.forcedReschedIntervalNs())) {
            cancelProtectionChain(p, h.taskGroup(yielder), ys, lca);
            forcedEver[p] = true;
            lastForcedNs[p] = nowNs;
            forcedResched++;
            leaf.countForcedResched();
        }
        directedYields++;
        leaf.countDirectedYield();
        h.resched[p] = true;
        if (preempt && !sameRq) {
            h.resched[tp] = true;
        }
        return 1;
    }

    /** {@code update_curr} at every level of the running task's chain (the credit needs current V). */
    private void updateChain(int p, int t, long nowNs) {
        int g = h.taskGroup(t);
        while (true) {
            Eevdf q = h.rqs[p][g];
            h.resched[p] |= q.updateCurr(nowNs);
            q.takeResched();
            if (g == TaskGroups.ROOT) {
                return;
            }
            g = h.parentGroup(g);
        }
    }

    /**
     * Patch 04: "walk the same ancestor chain … and credit each not-yet-eligible level" to its margin, from the
     * target up to the level of the LCA cfs_rq. [I] The levels above are the yielder's own running ancestors: crediting
     * them would move lag from other groups (other VMs) to the yielder's, which is not the target's problem.
     */
    /** The lowest common ancestor of the two tasks' groups: its cfs_rq is where their chains are siblings. */
    private int lca(int a, int b) {
        int ga = h.taskGroup(a);
        int gb = h.taskGroup(b);
        while (ga != gb) {
            if (h.depth(ga) >= h.depth(gb)) {
                ga = h.parentGroup(ga);
            } else {
                gb = h.parentGroup(gb);
            }
        }
        return ga;
    }

    private void creditChain(int p, int g, int e, int stop) {
        while (true) {
            Eevdf q = h.rqs[p][g];
            if (!q.eligible(e) && q.credit(e, q.creditMargin(e))) {
                creditsApplied++;
                q.countCredit();
            }
            if (g == TaskGroups.ROOT || g == stop) {
                return;
            }
            e = h.groupEntity(p, g);
            g = h.parentGroup(g);
        }
    }

    /** Patch 05: {@code cancel_protect_slice()} along the yielder's chain, up to the LCA level ([I], see the class). */
    private void cancelProtectionChain(int p, int g, int e, int stop) {
        while (true) {
            h.rqs[p][g].cancelProtection(e);
            if (g == TaskGroups.ROOT || g == stop) {
                return;
            }
            e = h.groupEntity(p, g);
            g = h.parentGroup(g);
        }
    }

    /** Successful yields. */
    public long directedYields() {
        return directedYields;
    }

    /** Yielders that forfeited their slice at their leaf cfs_rq. */
    public long forfeits() {
        return forfeits;
    }

    /** Levels credited by patch 04. */
    public long creditsApplied() {
        return creditsApplied;
    }

    /** Forced local rescheds (patch 05). */
    public long forcedResched() {
        return forcedResched;
    }
}
