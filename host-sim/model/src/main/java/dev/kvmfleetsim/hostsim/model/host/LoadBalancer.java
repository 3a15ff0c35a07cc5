package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.sched.CfsHierarchy;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import java.util.Arrays;

/**
 * Where vCPU threads run (fair.c, docs/model.md "Migration and load balancing"): wake-up placement
 * ({@code select_task_rq_fair} reduced to {@code select_idle_sibling}'s idle-CPU search), the newidle balance
 * ({@code sched_balance_newidle}) and the periodic balance at the tick ({@code sched_balance_domains} →
 * {@code sched_balance_rq}), each a simplification over one flat domain: all pCPUs share one LLC (one sched_domain
 * whose groups are single CPUs, no SMT or NUMA level), and load is the number of runnable threads (every vCPU thread
 * has the same weight). Scans run in pCPU order and candidates in vCPU id order: no random draw, no allocation.
 */
final class LoadBalancer {
    /** {@code sd->busy_factor} from {@code sd_init} (kernel/sched/topology.c). */
    static final int BUSY_FACTOR = 16;

    private final HostContext ctx;
    private final Pcpu[] pcpus;
    private final CfsHierarchy cfs;
    /** Every vCPU, by id: the candidates of a pull, scanned in this fixed order. */
    private Vcpu[] vcpus = new Vcpu[0];
    /** Threads may move at all ({@code host.load_balance}, not pinned). */
    private final boolean enabled;

    private final long intervalNs;
    /** {@code sd->last_balance} per pCPU (each CPU balances its own domain). */
    private final long[] lastBalanceNs;

    LoadBalancer(HostContext ctx, Pcpu[] pcpus, CfsHierarchy cfs) {
        this.ctx = ctx;
        this.pcpus = pcpus;
        this.cfs = cfs;
        this.enabled = ctx.scenario.host().migrates();
        this.intervalNs = intervalNs(ctx.scenario);
        this.lastBalanceNs = new long[pcpus.length];
    }

    /**
     * The periodic balance's interval on a busy pCPU: {@code sched.balance_interval_ns}, or the kernel's for one flat
     * domain of n CPUs, {@code get_sd_balance_interval(sd, busy)} = {@code sd->balance_interval} (n ms, sd_init's
     * {@code sd_weight}) × {@code busy_factor} (16): 256 ms for 16 pCPUs.
     */
    static long intervalNs(Scenario sc) {
        long set = sc.sched().balanceIntervalNs();
        return set > 0 ? set : sc.host().pcpus() * 1_000_000L * BUSY_FACTOR;
    }

    boolean enabled() {
        return enabled;
    }

    /** Registers a vCPU thread (set-up, in id order). */
    void add(Vcpu v) {
        if (v.id >= vcpus.length) {
            vcpus = Arrays.copyOf(vcpus, Math.max(8, v.id * 2 + 1));
        }
        vcpus[v.id] = v;
    }

    /**
     * {@code available_idle_cpu}: nothing runs, nothing is queued and no wake-up is on its way ({@code ttwu_pending}).
     */
    private boolean idle(int cpu) {
        Pcpu p = pcpus[cpu];
        return p.running == null && !p.wakePending && cfs.nrRunning(cpu) == 0;
    }

    /**
     * {@code select_task_rq_fair} for a waking vCPU thread, reduced to {@code select_idle_sibling(p, prev, prev)}:
     * {@code wake_affine} is not modelled (the waker is an event, not a thread on a pCPU), so the target is the
     * previous pCPU. If it is idle the thread stays; else {@code select_idle_cpu} scans the LLC from prev + 1, wrapping
     * ({@code for_each_cpu_wrap}), for the first idle pCPU; none: prev. SIS_UTIL's scan-depth limit and the idle-core
     * search are not modelled (every scan is full; there is no SMT).
     */
    int selectTaskRq(Vcpu v) {
        int prev = v.pcpu;
        if (!enabled || idle(prev)) {
            return prev;
        }
        int n = pcpus.length;
        for (int i = 1; i < n; i++) {
            int c = prev + i < n ? prev + i : prev + i - n;
            if (idle(c)) {
                return c;
            }
        }
        return prev;
    }

    /** Moves a sleeping thread that wakes on {@code dst} ({@code set_task_cpu} in {@code try_to_wake_up}). */
    void moveWoken(Vcpu v, int dst) {
        cfs.moveSleeping(v.entity, dst);
        v.pcpu = dst;
        ctx.count(v.vm, KvmStat.MIGRATIONS);
    }

    /**
     * {@code sched_balance_newidle}: {@code cpu} found nothing to run; pull one waiting thread from the busiest pCPU
     * if it has more than one runnable. The kernel's {@code avg_idle < max_newidle_lb_cost} cut-off is not modelled.
     *
     * @return whether a thread was pulled (the caller picks again, as {@code pick_next_task_fair} does)
     */
    boolean newidle(int cpu) {
        if (!enabled) {
            return false;
        }
        int src = busiest(cpu);
        return src >= 0 && cfs.nrRunning(src) > 1 && pull(src, cpu);
    }

    /**
     * The periodic balance at {@code cpu}'s tick ({@code sched_balance_trigger} → SCHED_SOFTIRQ →
     * {@code sched_balance_domains}), once per interval: pull one waiting thread from the busiest pCPU if it has at
     * least two more runnable threads than {@code cpu}. With equal-weight threads that is where the kernel's
     * {@code calculate_imbalance} ({@code migrate_load}) finds a task whose load fits the imbalance; at a difference
     * of one, moving a task would only swap the imbalance. Only busy pCPUs tick here (NO_HZ_IDLE): the nohz idle
     * balance on behalf of idle CPUs is not modelled (an idle pCPU pulls at newidle and receives wake-ups).
     *
     * @return whether a thread was pulled onto {@code cpu}
     */
    boolean periodic(int cpu) {
        if (!enabled || ctx.now - lastBalanceNs[cpu] < intervalNs) {
            return false;
        }
        lastBalanceNs[cpu] = ctx.now;
        int src = busiest(cpu);
        return src >= 0 && cfs.nrRunning(src) - cfs.nrRunning(cpu) >= 2 && pull(src, cpu);
    }

    /** {@code sched_balance_find_src_rq} over single-CPU groups: the most runnable threads, ties by lowest id. */
    private int busiest(int self) {
        int best = -1;
        int most = 0;
        for (int c = 0; c < pcpus.length; c++) {
            int nr = cfs.nrRunning(c);
            if (c != self && nr > most) {
                most = nr;
                best = c;
            }
        }
        return best;
    }

    /**
     * {@code detach_tasks} + {@code attach_tasks} for one thread: the least recently run thread of {@code src} that
     * {@code can_migrate_task} accepts (queued, not running, not {@code sched_delayed}), as the kernel walks
     * {@code cfs_tasks} from its tail (least recently run); ties by lowest vCPU id. {@code task_hot}'s cache-hot
     * refusal ({@code sysctl_sched_migration_cost}, 0.5 ms) is not modelled: without the nohz idle balance, an idle
     * pCPU that refused a hot thread would never try again.
     */
    private boolean pull(int src, int dst) {
        Vcpu pick = null;
        int runningTask = cfs.running(src);
        for (Vcpu v : vcpus) {
            if (v != null
                    && v.pcpu == src
                    && v.entity != runningTask
                    && cfs.isQueued(v.entity)
                    && !cfs.isDelayed(v.entity)
                    && (pick == null || v.lastRanNs < pick.lastRanNs)) {
                pick = v;
            }
        }
        if (pick == null) {
            return false;
        }
        cfs.migrate(pick.entity, dst, ctx.now);
        pick.pcpu = dst;
        ctx.count(pick.vm, KvmStat.MIGRATIONS);
        return true;
    }
}
