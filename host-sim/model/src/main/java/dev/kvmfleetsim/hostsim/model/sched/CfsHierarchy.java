package dev.kvmfleetsim.hostsim.model.sched;

import java.util.Arrays;

/**
 * The fair class of a whole host with task groups ({@code CONFIG_FAIR_GROUP_SCHED}, kvm-model §6, H2 of the model
 * review): every task group has, per CPU, a cfs_rq (an {@link Eevdf}) and, below the root, a group sched_entity queued
 * in its parent's cfs_rq on that CPU, with its own vruntime, deadline, lag and slice protection. Enqueue and dequeue
 * walk up the chain ({@code for_each_sched_entity}), the pick walks down ({@code pick_task_fair}), the tick and
 * {@code update_curr} act at every level, wake-up preemption compares at the level {@code find_matching_se} finds, and
 * group weights follow {@link #shares}, a documented simplification of {@code calc_group_shares}. {@code yield_to}
 * through the hierarchy is {@link CfsYieldTo}.
 *
 * <p>Tasks are ids {@code 0..} from {@link #addTask}. Cfs_rqs and group entities are created per CPU on first use
 * (set-up or a migration), so the hot path allocates nothing. A resched request is one flag per CPU
 * (TIF_NEED_RESCHED), set by any level and cleared by {@link #pick}. Times in ns; exact long arithmetic; not
 * thread-safe. With {@link TaskGroups#flat()} every call reduces to the same {@link Eevdf} calls as one flat run
 * queue.
 */
public final class CfsHierarchy {
    /** {@code MIN_SHARES}: the least weight a group entity gets (unscaled, as {@code scale_load_down} leaves it). */
    public static final long MIN_SHARES = 2;

    private static final int ROOT = TaskGroups.ROOT;

    final EevdfParams params;
    private final int pcpus;
    private final int[] parent;
    private final int[] depth;
    private final long[] tgShares;
    final Eevdf[][] rqs;
    final int[][] groupSe;
    /** [cpu][group][entity]: the child group the entity stands for, or ~task. */
    private final int[][][] owner;
    /** Σ over CPUs of each group's cfs_rq load: the {@code tg->load_avg} of the simplification. */
    private final long[] groupLoad;

    private int taskCount;
    private int[] taskGroup = new int[8];
    int[] taskPcpu = new int[8];
    private int[][] taskSeAt = new int[8][];

    final boolean[] resched;
    final int[] nrRunning;
    final int[] running;
    private final int[][] pickEntity;
    private final int[][] pickGroup;

    /** @param groups the task-group tree, the same on every CPU */
    public CfsHierarchy(EevdfParams params, int pcpus, TaskGroups groups) {
        this.params = params;
        this.pcpus = pcpus;
        this.parent = groups.parent();
        this.tgShares = groups.shares();
        int n = parent.length;
        this.depth = new int[n];
        int maxDepth = 0;
        for (int g = 1; g < n; g++) {
            depth[g] = depth[parent[g]] + 1;
            maxDepth = Math.max(maxDepth, depth[g]);
        }
        rqs = new Eevdf[pcpus][n];
        groupSe = new int[pcpus][n];
        owner = new int[pcpus][n][];
        groupLoad = new long[n];
        resched = new boolean[pcpus];
        nrRunning = new int[pcpus];
        running = new int[pcpus];
        pickEntity = new int[pcpus][maxDepth + 1];
        pickGroup = new int[pcpus][maxDepth + 1];
        Arrays.fill(running, -1);
        for (int p = 0; p < pcpus; p++) {
            Arrays.fill(groupSe[p], -1);
            rq(p, ROOT);
        }
    }

    // ---- set-up ----

    private Eevdf rq(int p, int g) {
        if (rqs[p][g] == null) {
            rqs[p][g] = new Eevdf(params, 4);
            owner[p][g] = new int[4];
        }
        return rqs[p][g];
    }

    private int addEntity(int p, int g, long weight, int who) {
        int e = rq(p, g).addEntity(weight);
        if (e >= owner[p][g].length) {
            owner[p][g] = Arrays.copyOf(owner[p][g], e * 2 + 2);
        }
        owner[p][g][e] = who;
        return e;
    }

    /** Creates the cfs_rqs and group entities (weight NICE_0_LOAD, {@code init_tg_cfs_entry}) of g's chain on p. */
    private void ensureChain(int p, int g) {
        for (int x = g; x != ROOT && groupSe[p][x] < 0; x = parent[x]) {
            rq(p, x);
            groupSe[p][x] = addEntity(p, parent[x], Eevdf.NICE_0_LOAD, x);
        }
    }

    /**
     * Creates a sleeping task in {@code group} on CPU {@code pcpu}; {@link #enqueue} makes it runnable.
     *
     * @return the task id
     */
    public int addTask(int group, int pcpu, long weight) {
        if (taskCount == taskGroup.length) {
            int c = taskCount * 2;
            taskGroup = Arrays.copyOf(taskGroup, c);
            taskPcpu = Arrays.copyOf(taskPcpu, c);
            taskSeAt = Arrays.copyOf(taskSeAt, c);
        }
        int t = taskCount++;
        taskGroup[t] = group;
        taskPcpu[t] = pcpu;
        taskSeAt[t] = new int[pcpus];
        Arrays.fill(taskSeAt[t], -1);
        ensureChain(pcpu, group);
        taskSeAt[t][pcpu] = addEntity(pcpu, group, weight, ~t);
        return t;
    }

    // ---- group shares (update_cfs_group / calc_group_shares) ----

    /**
     * The group entity's weight on CPU p, simplified from {@code calc_group_shares}: {@code tg->shares ×
     * load(cfs_rq on p) / Σ load(cfs_rq on every CPU)}, clamped to [MIN_SHARES, tg->shares], where load is the
     * runnable weight now ({@code cfs_rq->load.weight}) instead of the PELT average {@code max(load.weight,
     * load_avg)}: a VM whose n runnable vCPU threads sit on n CPUs weighs tg->shares / n on each. Recomputed where
     * {@code update_cfs_group} runs (enqueue, dequeue, tick); the other CPUs' entities keep their weight until their
     * own update, as in the kernel. A cfs_rq that is empty on p keeps its last shares (its load_avg would decay
     * slowly), so a delayed group entity is not reweighted to MIN_SHARES.
     */
    public long shares(int p, int g) {
        long load = rqs[p][g] == null ? 0 : rqs[p][g].queueWeight();
        long total = groupLoad[g];
        long s = total == 0 ? tgShares[g] : tgShares[g] * load / total;
        return Math.max(MIN_SHARES, Math.min(tgShares[g], s));
    }

    /** {@code update_cfs_group(se)} for g's group entity on p. */
    private void updateCfsGroup(int p, int g, long nowNs) {
        if (rqs[p][g].queueWeight() == 0) {
            return;
        }
        long w = shares(p, g);
        int pg = parent[g];
        Eevdf q = rqs[p][pg];
        int se = groupSe[p][g];
        if (q.weight(se) != w) {
            long w0 = q.queueWeight();
            q.reweight(se, w, nowNs);
            groupLoad[pg] += q.queueWeight() - w0;
            resched[p] |= q.takeResched();
        }
    }

    /** The second {@code for_each_sched_entity} loop: {@code update_cfs_group} from g's entity to the root. */
    private void updateCfsGroupsFrom(int p, int g, long nowNs) {
        for (int x = g; x != ROOT; x = parent[x]) {
            updateCfsGroup(p, x, nowNs);
        }
    }

    // ---- enqueue / dequeue (enqueue_task_fair, dequeue_entities) ----

    private void enqueueLevel(int p, int g, int e, long nowNs) {
        Eevdf q = rqs[p][g];
        boolean idle = q.curr() < 0;
        long w0 = q.queueWeight();
        q.enqueue(e, nowNs, false);
        groupLoad[g] += q.queueWeight() - w0;
        boolean r = q.takeResched();
        if (!idle) {
            resched[p] |= r; // update_curr's resched_curr_lazy; an idle group level is no idle CPU
        }
    }

    private boolean dequeueLevel(int p, int g, int e, long nowNs, boolean sleep) {
        Eevdf q = rqs[p][g];
        long w0 = q.queueWeight();
        boolean left = q.dequeue(e, nowNs, sleep);
        groupLoad[g] += q.queueWeight() - w0;
        resched[p] |= q.takeResched();
        return left;
    }

    /**
     * Makes the task runnable on its CPU ({@code enqueue_task_fair}): enqueue_entity at each level up to the first
     * ancestor already queued (a {@code sched_delayed} one is requeued), each group entity reweighted before its
     * placement, the rest of the chain reweighted after; then {@code check_preempt_wakeup_fair} for a wake-up.
     *
     * @param wakeup a wake-up (false: a new task or a migration, which never preempt)
     * @return whether the CPU needs a resched afterwards
     */
    public boolean enqueue(int t, long nowNs, boolean wakeup) {
        int p = taskPcpu[t];
        int g = taskGroup[t];
        int e = taskSeAt[t][p];
        boolean counted = rqs[p][g].isQueued(e);
        if (counted && !rqs[p][g].isDelayed(e)) {
            throw new IllegalStateException("task " + t + " is already queued");
        }
        while (true) {
            Eevdf q = rqs[p][g];
            int child = owner[p][g][e];
            if (q.isQueued(e)) {
                if (q.isDelayed(e)) {
                    enqueueLevel(p, g, e, nowNs); // requeue_delayed_entity
                }
                updateCfsGroupsFrom(p, child >= 0 ? child : g, nowNs);
                break;
            }
            if (child >= 0) {
                updateCfsGroup(p, child, nowNs);
            }
            enqueueLevel(p, g, e, nowNs);
            if (g == ROOT) {
                break;
            }
            e = groupSe[p][g];
            g = parent[g];
        }
        if (!counted) {
            nrRunning[p]++;
        }
        if (rqs[p][ROOT].curr() < 0) {
            resched[p] = true; // the idle task is preempted
            return true;
        }
        if (wakeup && !resched[p]) {
            wakeupPreempt(p, t, nowNs);
        }
        return resched[p];
    }

    /** {@code check_preempt_wakeup_fair}: {@code find_matching_se}, update_curr there, then the EEVDF test. */
    private void wakeupPreempt(int p, int t, long nowNs) {
        int c = running[p];
        if (c < 0 || c == t) {
            return;
        }
        int se = taskSeAt[t][p];
        int sg = taskGroup[t];
        int ce = taskSeAt[c][p];
        int cg = taskGroup[c];
        while (depth[sg] > depth[cg]) {
            se = groupSe[p][sg];
            sg = parent[sg];
        }
        while (depth[cg] > depth[sg]) {
            ce = groupSe[p][cg];
            cg = parent[cg];
        }
        while (sg != cg) {
            se = groupSe[p][sg];
            sg = parent[sg];
            ce = groupSe[p][cg];
            cg = parent[cg];
        }
        Eevdf q = rqs[p][sg];
        q.updateCurr(nowNs);
        resched[p] |= q.takeResched();
        if (!resched[p] && q.wakeupPreemptAt(se)) {
            resched[p] = true;
        }
        q.takeResched();
    }

    /**
     * Takes the task off its CPU's queues ({@code dequeue_task_fair} → {@code dequeue_entities}): a sleeper that is
     * not eligible stays queued as {@code sched_delayed} (the walk stops); otherwise each group entity whose cfs_rq
     * became empty is dequeued in turn (as a sleep, possibly delayed itself). Where the walk stops at a group that
     * still has load, a sleeping task makes that group the next buddy of its ancestors ({@code CGROUP_BUDDY}); the
     * ancestors are reweighted.
     *
     * @param sleep the task blocks; false for a migration
     * @return true if the task left the queue, false if it stays queued as delayed
     */
    public boolean dequeue(int t, long nowNs, boolean sleep) {
        int p = taskPcpu[t];
        if (!rqs[p][taskGroup[t]].isQueued(taskSeAt[t][p])) {
            throw new IllegalStateException("task " + t + " is not queued");
        }
        boolean left = dequeueWalk(p, taskGroup[t], taskSeAt[t][p], nowNs, sleep, sleep);
        if (left) {
            nrRunning[p]--;
        }
        return left;
    }

    private boolean dequeueWalk(int p, int g, int e, long nowNs, boolean sleep, boolean taskSleep) {
        boolean first = true;
        while (true) {
            int child = owner[p][g][e];
            if (!dequeueLevel(p, g, e, nowNs, sleep)) {
                if (first) {
                    return false;
                }
                updateCfsGroupsFrom(p, child, nowNs); // a group entity went delayed
                return true;
            }
            first = false;
            if (g == ROOT) {
                return true;
            }
            if (rqs[p][g].queueWeight() > 0) {
                if (taskSleep) {
                    setNextBuddy(p, parent[g], groupSe[p][g]); // CGROUP_BUDDY (default on)
                }
                updateCfsGroupsFrom(p, g, nowNs);
                return true;
            }
            e = groupSe[p][g];
            g = parent[g];
            sleep = true;
        }
    }

    /** {@code set_next_buddy(se)}: {@code cfs_rq_of(se)->next = se} at every level from (g, e) up. */
    void setNextBuddy(int p, int g, int e) {
        while (true) {
            rqs[p][g].markNext(e);
            if (g == ROOT) {
                return;
            }
            e = groupSe[p][g];
            g = parent[g];
        }
    }

    /** {@code clear_buddies(cfs_rq, se)} → {@code __clear_buddies_next}: up while each level's next is the chain. */
    void clearBuddies(int p, int g, int e) {
        while (rqs[p][g].clearNextIf(e) && g != ROOT) {
            e = groupSe[p][g];
            g = parent[g];
        }
    }

    // ---- pick (pick_task_fair + pick_next_task_fair's put_prev/set_next walk) ----

    /**
     * {@code schedule()}'s fair pick on CPU p: from the root, {@code update_curr} and {@code pick_eevdf} per level down
     * to a task; a {@code sched_delayed} pick is dequeued ({@code dequeue_entities(DEQUEUE_DELAYED)}) and the walk
     * restarts at the root. Then the switch: {@code put_prev_entity} on the old chain below where it meets the new
     * one, {@code set_next_entity} (with {@code clear_buddies}) at each level where the pick changed. Clears the
     * CPU's resched flag.
     *
     * @return the task to run, or -1 (idle)
     */
    public int pick(int p, long nowNs) {
        int[] ents = pickEntity[p];
        int[] grps = pickGroup[p];
        int leaf = -1;
        restart:
        while (true) {
            int g = ROOT;
            for (int d = 0; ; d++) {
                Eevdf q = rqs[p][g];
                int c = q.curr();
                if (c >= 0 && q.isQueued(c)) {
                    q.updateCurr(nowNs);
                }
                int e = q.pickEevdf();
                if (e < 0) {
                    if (g == ROOT) {
                        leaf = -1;
                        break restart;
                    }
                    dequeueWalk(p, parent[g], groupSe[p][g], nowNs, true, false); // guard: an empty group
                    continue restart;
                }
                if (q.isDelayed(e)) {
                    boolean task = owner[p][g][e] < 0;
                    dequeueWalk(p, g, e, nowNs, false, true);
                    if (task) {
                        nrRunning[p]--;
                    }
                    continue restart;
                }
                grps[d] = g;
                ents[d] = e;
                int child = owner[p][g][e];
                if (child < 0) {
                    leaf = d;
                    break restart;
                }
                g = child;
            }
        }
        int next = leaf < 0 ? -1 : ~owner[p][grps[leaf]][ents[leaf]];
        int old = running[p];
        if (old >= 0 && old != next) {
            for (int x = taskGroup[old]; x != ROOT; x = parent[x]) {
                if (leaf >= 0 && depth[x] <= leaf && grps[depth[x]] == x) {
                    break; // shared with the new chain from here up
                }
                rqs[p][x].putPrev(nowNs);
                rqs[p][x].takeResched();
            }
        }
        if (leaf < 0) {
            rqs[p][ROOT].putPrev(nowNs);
            rqs[p][ROOT].takeResched();
        }
        for (int d = 0; d <= leaf; d++) {
            Eevdf q = rqs[p][grps[d]];
            if (q.curr() != ents[d]) {
                clearBuddies(p, grps[d], ents[d]);
                q.setCurr(ents[d], nowNs);
            }
            q.takeResched();
        }
        running[p] = next;
        resched[p] = false;
        return next;
    }

    // ---- tick (task_tick_fair) ----

    /**
     * {@code task_tick_fair}: {@code entity_tick} at every level of the running task's chain, leaf first:
     * {@code update_curr} (a level whose curr starts a new slice or leaves its protection with others queued requests a
     * resched and clears its buddy chain) and {@code update_cfs_group}.
     *
     * @return whether the CPU needs a resched
     */
    public boolean tick(int p, long nowNs) {
        int t = running[p];
        if (t < 0) {
            return resched[p];
        }
        int g = taskGroup[t];
        int e = taskSeAt[t][p];
        while (true) {
            Eevdf q = rqs[p][g];
            boolean wasNext = q.nextBuddy() == e && e == q.curr();
            if (q.updateCurr(nowNs)) {
                resched[p] = true;
                if (wasNext && g != ROOT) {
                    clearBuddies(p, parent[g], groupSe[p][g]);
                }
            }
            q.takeResched();
            if (g == ROOT) {
                return resched[p];
            }
            updateCfsGroup(p, g, nowNs);
            e = groupSe[p][g];
            g = parent[g];
        }
    }

    // ---- migration ----

    /**
     * Moves a queued, waiting task to CPU {@code dst} ({@code move_queued_task}): a non-sleep dequeue walk on its CPU
     * (lag saved, deadline kept relative), then a non-wakeup enqueue on dst, creating dst's chain on first use.
     *
     * @return whether dst needs a resched
     */
    public boolean migrate(int t, int dst, long nowNs) {
        int p = taskPcpu[t];
        int g = taskGroup[t];
        int src = taskSeAt[t][p];
        if (running[p] == t || !rqs[p][g].isQueued(src) || rqs[p][g].isDelayed(src)) {
            throw new IllegalStateException("only a queued, waiting task can migrate");
        }
        dequeueWalk(p, g, src, nowNs, false, false);
        nrRunning[p]--;
        ensureChain(dst, g);
        if (taskSeAt[t][dst] < 0) {
            taskSeAt[t][dst] = addEntity(dst, g, Eevdf.NICE_0_LOAD, ~t);
        }
        Eevdf.transferState(rqs[p][g], src, rqs[dst][g], taskSeAt[t][dst]);
        taskPcpu[t] = dst;
        return enqueue(t, nowNs, false);
    }

    /**
     * {@code set_task_cpu} for a sleeping task that wakes on another CPU ({@code try_to_wake_up} →
     * {@code select_task_rq} → {@code migrate_task_rq_fair}): the task is on no queue, so nothing is dequeued; its saved
     * lag, slice and weight go to its entity on dst, where the wake-up's {@link #enqueue} places it
     * ({@code place_entity} with the saved vlag). dst's chain is created on first use.
     */
    public void moveSleeping(int t, int dst) {
        int p = taskPcpu[t];
        int g = taskGroup[t];
        int src = taskSeAt[t][p];
        if (rqs[p][g].isQueued(src) || running[p] == t) {
            throw new IllegalStateException("only a sleeping task moves at wake-up");
        }
        if (p == dst) {
            return;
        }
        ensureChain(dst, g);
        if (taskSeAt[t][dst] < 0) {
            taskSeAt[t][dst] = addEntity(dst, g, Eevdf.NICE_0_LOAD, ~t);
        }
        Eevdf.transferState(rqs[p][g], src, rqs[dst][g], taskSeAt[t][dst]);
        taskPcpu[t] = dst;
    }

    // ---- state ----

    public int pcpuCount() {
        return pcpus;
    }

    /** The task running on p (the last pick), or -1; it may have been dequeued since. */
    public int running(int p) {
        return running[p];
    }

    /** {@code rq->nr_running}: queued tasks on p, delayed ones included. */
    public int nrRunning(int p) {
        return nrRunning[p];
    }

    /** TIF_NEED_RESCHED of p's running task: some level asked for a resched since the last {@link #pick}. */
    public boolean needResched(int p) {
        return resched[p];
    }

    public boolean isQueued(int t) {
        return rqs[taskPcpu[t]][taskGroup[t]].isQueued(taskSeAt[t][taskPcpu[t]]);
    }

    public boolean isDelayed(int t) {
        return rqs[taskPcpu[t]][taskGroup[t]].isDelayed(taskSeAt[t][taskPcpu[t]]);
    }

    public void setRt(int t, boolean rt) {
        rqs[taskPcpu[t]][taskGroup[t]].setRt(taskSeAt[t][taskPcpu[t]], rt);
    }

    public int taskPcpu(int t) {
        return taskPcpu[t];
    }

    public int taskGroup(int t) {
        return taskGroup[t];
    }

    /** The task's entity id in its group's cfs_rq on its CPU. */
    public int taskEntity(int t) {
        return taskSeAt[t][taskPcpu[t]];
    }

    /** Group g's cfs_rq on p (created on first use), for inspection. */
    public Eevdf cfsRq(int p, int g) {
        return rq(p, g);
    }

    /** Group g's entity in its parent's cfs_rq on p, or -1 if none was created there. */
    public int groupEntity(int p, int g) {
        return groupSe[p][g];
    }

    /** Depth of group g: 0 for the root. */
    public int depth(int g) {
        return depth[g];
    }

    public int parentGroup(int g) {
        return parent[g];
    }
}
