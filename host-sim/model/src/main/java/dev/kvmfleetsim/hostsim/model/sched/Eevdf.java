package dev.kvmfleetsim.hostsim.model.sched;

import java.util.Arrays;

/**
 * One host CFS/EEVDF run queue ({@code struct cfs_rq} of one pCPU, flat: no task groups), the scheduler side of
 * {@code yield_to()} and the lag credit of the directed-yield series (kvm-model §5.4, §6; {@code kernel/sched/fair.c}).
 *
 * <p>Entities are small int ids ({@code 0..entityCount()-1}, from {@link #addEntity}); their state lives in primitive
 * arrays. The running entity {@link #curr()} is off-tree as in the kernel: V sums the queued entities and adds curr
 * when it is on the queue. Virtual times are ns of virtual time (a nice-0 entity's vruntime advances 1 ns per ns run);
 * every {@code nowNs} argument is the simulation clock in ns and must not go backwards. All arithmetic is exact long
 * integer arithmetic, so runs are deterministic. Operations allocate nothing (only {@link #addEntity} may grow the
 * arrays). Not thread-safe.
 *
 * <p>Entity ids are local to one instance. A caller that moves tasks between run queues should create the same
 * entities, in the same order, in every run queue so an id names the same task everywhere ({@link #migrate}).
 */
public final class Eevdf {
    /** {@code NICE_0_LOAD} (scaled down): the weight of a nice-0 task. */
    public static final long NICE_0_LOAD = 1024;
    /** {@code ESRCH}: {@link #yieldTo} returns its negative when yielding is pointless (§5.4). */
    public static final int ESRCH = 3;

    // sched_prio_to_weight[], nice -20 .. 19
    private static final long[] PRIO_TO_WEIGHT = {
        88761, 71755, 56483, 46273, 36291,
        29154, 23254, 18705, 14949, 11916,
        9548, 7620, 6100, 4904, 3906,
        3121, 2501, 1991, 1586, 1277,
        1024, 820, 655, 526, 423,
        335, 272, 215, 172, 137,
        110, 87, 70, 56, 45,
        36, 29, 23, 18, 15,
    };

    private static final long NOT_WAITING = Long.MIN_VALUE;

    private final EevdfParams params;

    private int count;
    private long[] weight;
    private long[] vruntime;
    private long[] deadline;
    private long[] vlag;
    private long[] slice;
    private long[] vprot;
    private long[] seq;
    private long[] sumExecNs;
    private long[] runDelayNs;
    private long[] waitStartNs;
    private boolean[] customSlice;
    private boolean[] onRq;
    private boolean[] delayed;
    private boolean[] relDeadline;
    private boolean[] fresh;
    private boolean[] rt;

    private int curr = -1;
    private int next = -1;
    private int nrQueued;
    private long execStartNs;

    // avg_vruntime bookkeeping over the tree (queued entities except curr), keys relative to zeroV
    private long zeroV;
    private long sumWKey;
    private long sumW;
    private long seqCounter;

    private boolean needResched;
    private boolean forcedEver;
    private long lastForcedNs;

    private long directedYields;
    private long forfeits;
    private long creditsApplied;
    private long forcedResched;

    /**
     * @param params tunables and feature switches
     * @param capacity initial entity capacity (the arrays grow on demand)
     */
    public Eevdf(EevdfParams params, int capacity) {
        this.params = params;
        int c = Math.max(1, capacity);
        weight = new long[c];
        vruntime = new long[c];
        deadline = new long[c];
        vlag = new long[c];
        slice = new long[c];
        vprot = new long[c];
        seq = new long[c];
        sumExecNs = new long[c];
        runDelayNs = new long[c];
        waitStartNs = new long[c];
        customSlice = new boolean[c];
        onRq = new boolean[c];
        delayed = new boolean[c];
        relDeadline = new boolean[c];
        fresh = new boolean[c];
        rt = new boolean[c];
    }

    public Eevdf(EevdfParams params) {
        this(params, 8);
    }

    // ---- weights and virtual time (§6.1) ----

    /** {@code sched_prio_to_weight[nice + 20]}: 1024 for nice 0, about ×1.25 per nice step. */
    public static long weightOfNice(int nice) {
        if (nice < -20 || nice > 19) {
            throw new IllegalArgumentException("nice out of range: " + nice);
        }
        return PRIO_TO_WEIGHT[nice + 20];
    }

    /**
     * {@code calc_delta_fair}: virtual time for {@code deltaNs} of run time at {@code weight}, Δv = Δt · 1024 / w. Exact
     * integer division (the kernel's 32-bit inverse-weight multiply rounds slightly differently).
     */
    public static long calcDeltaFair(long deltaNs, long weight) {
        return weight == NICE_0_LOAD ? deltaNs : deltaNs * NICE_0_LOAD / weight;
    }

    /**
     * Creates a sleeping (not queued) entity with the base slice. Its first {@link #enqueue} places it as a new task.
     *
     * @param weight load weight, 1024 for nice 0 ({@link #weightOfNice})
     * @return the entity id
     */
    public int addEntity(long weight) {
        return addEntity(weight, 0);
    }

    /**
     * Creates a sleeping (not queued) entity.
     *
     * @param weight load weight, 1024 for nice 0
     * @param sliceNs a custom request size r ({@code sched_attr.sched_runtime}), or 0 for the base slice
     * @return the entity id
     */
    public int addEntity(long weight, long sliceNs) {
        if (weight <= 0 || sliceNs < 0) {
            throw new IllegalArgumentException("weight must be positive and slice >= 0");
        }
        if (count == this.weight.length) {
            grow(count * 2);
        }
        int id = count++;
        this.weight[id] = weight;
        customSlice[id] = sliceNs > 0;
        slice[id] = sliceNs > 0 ? sliceNs : params.baseSliceNs();
        vruntime[id] = zeroV;
        deadline[id] = zeroV;
        vprot[id] = zeroV;
        waitStartNs[id] = NOT_WAITING;
        fresh[id] = true;
        return id;
    }

    private void grow(int c) {
        weight = Arrays.copyOf(weight, c);
        vruntime = Arrays.copyOf(vruntime, c);
        deadline = Arrays.copyOf(deadline, c);
        vlag = Arrays.copyOf(vlag, c);
        slice = Arrays.copyOf(slice, c);
        vprot = Arrays.copyOf(vprot, c);
        seq = Arrays.copyOf(seq, c);
        sumExecNs = Arrays.copyOf(sumExecNs, c);
        runDelayNs = Arrays.copyOf(runDelayNs, c);
        waitStartNs = Arrays.copyOf(waitStartNs, c);
        customSlice = Arrays.copyOf(customSlice, c);
        onRq = Arrays.copyOf(onRq, c);
        delayed = Arrays.copyOf(delayed, c);
        relDeadline = Arrays.copyOf(relDeadline, c);
        fresh = Arrays.copyOf(fresh, c);
        rt = Arrays.copyOf(rt, c);
    }

    /**
     * Marks the entity's thread as RT class. The run queue still schedules it as a fair entity if it is queued here;
     * the flag only drives the class checks of {@link #yieldTo} (an RT yielder has no {@code yield_to_task}, §5.4).
     */
    public void setRt(int id, boolean isRt) {
        rt[check(id)] = isRt;
    }

    // ---- V, eligibility, lag (§6.1; avg_vruntime, vruntime_eligible, entity_lag) ----

    /**
     * V = Σ wᵢ·vᵢ / Σ wᵢ over the queued entities plus curr if it is queued, rounded down ({@code avg_vruntime}). With
     * nothing queued it is the last V.
     */
    public long avgVruntime() {
        long avg = sumWKey;
        long load = sumW;
        if (curr >= 0 && onRq[curr]) {
            avg += weight[curr] * (vruntime[curr] - zeroV);
            load += weight[curr];
        }
        return load == 0 ? zeroV : zeroV + Math.floorDiv(avg, load);
    }

    /** {@code entity_eligible}: v ≤ V, evaluated exactly as Σ wᵢ·(vᵢ − v) ≥ 0 without the division. */
    public boolean eligible(int id) {
        check(id);
        long avg = sumWKey;
        long load = sumW;
        if (curr >= 0 && onRq[curr]) {
            avg += weight[curr] * (vruntime[curr] - zeroV);
            load += weight[curr];
        }
        return avg >= (vruntime[id] - zeroV) * load;
    }

    /** The current lag V − v (virtual ns); ≥ 0 iff eligible up to rounding of V. */
    public long lag(int id) {
        return avgVruntime() - vruntime[check(id)];
    }

    /** vslice = {@code calc_delta_fair(r, w)}. */
    public long vslice(int id) {
        return calcDeltaFair(slice[check(id)], weight[id]);
    }

    /** The saved-lag clamp {@code calc_delta_fair(max(2·r, TICK_NSEC), w)} (v6.6+ {@code update_entity_lag}, §6.1). */
    public long lagLimit(int id) {
        return calcDeltaFair(Math.max(2 * slice[check(id)], params.tickNs()), weight[id]);
    }

    private void treeAdd(int id) {
        sumWKey += weight[id] * (vruntime[id] - zeroV);
        sumW += weight[id];
        seq[id] = ++seqCounter;
    }

    private void treeRemove(int id) {
        sumWKey -= weight[id] * (vruntime[id] - zeroV);
        sumW -= weight[id];
    }

    /** Moves the key origin to V so the weighted key sum stays small ({@code update_zero_vruntime}); exact. */
    private void rebase() {
        long v = avgVruntime();
        long delta = v - zeroV;
        if (delta != 0) {
            sumWKey -= sumW * delta;
            zeroV = v;
        }
    }

    private void updateEntityLag(int id) {
        long limit = lagLimit(id);
        vlag[id] = Math.max(-limit, Math.min(limit, avgVruntime() - vruntime[id]));
    }

    // ---- update_curr / tick (§6.2) ----

    /**
     * {@code update_curr}: charges the run time since the last update to curr (Δv = Δt·1024/w). If curr reached its
     * deadline it starts a new slice (d = v + vslice, {@code update_deadline}). When other entities are queued and curr
     * either started a new slice or lost its slice protection, a resched is requested and curr's buddy mark cleared.
     * The scheduler tick is this call.
     *
     * @return whether this call requested a resched (also latched in {@link #needResched()})
     */
    public boolean updateCurr(long nowNs) {
        int c = curr;
        if (c < 0) {
            return false;
        }
        long delta = nowNs - execStartNs;
        if (delta <= 0) {
            return false;
        }
        execStartNs = nowNs;
        sumExecNs[c] += delta;
        vruntime[c] += calcDeltaFair(delta, weight[c]);
        boolean newSlice = false;
        if (vruntime[c] - deadline[c] >= 0) {
            if (!customSlice[c]) {
                slice[c] = params.baseSliceNs();
            }
            deadline[c] = vruntime[c] + vslice(c);
            newSlice = true;
        }
        rebase();
        if (nrQueued <= 1) {
            return false;
        }
        if (newSlice || !protectSlice(c)) {
            needResched = true;
            clearBuddies(c);
            return true;
        }
        return false;
    }

    /** {@code protect_slice}: curr still runs inside its protected window (v &lt; vprot). */
    public boolean protectSlice(int id) {
        return vprot[check(id)] - vruntime[id] > 0;
    }

    // ---- enqueue / dequeue (§6.2) ----

    /**
     * Makes the entity runnable: {@code enqueue_entity} with {@code place_entity} (PLACE_LAG: v = V − vlag·(W+w)/W, d
     * = v + vslice, half a vslice for a new entity; a deadline saved relative by a non-sleep {@link #dequeue} is
     * restored). Waking an entity that is still queued as {@code sched_delayed} is {@code requeue_delayed_entity}
     * instead (DELAY_ZERO: positive lag re-placed at 0).
     *
     * @param wakeup a wake-up: run {@code wakeup_preempt_fair} (§6.3) against curr; false for a migration or a new
     *     task, which never preempt
     * @return whether this call requested a resched: the CPU was idle, or the wakee preempts curr
     */
    public boolean enqueue(int id, long nowNs, boolean wakeup) {
        check(id);
        updateCurr(nowNs);
        if (delayed[id]) {
            requeueDelayed(id, nowNs);
        } else {
            if (onRq[id]) {
                throw new IllegalStateException("entity " + id + " is already queued");
            }
            placeEntity(id, fresh[id]);
            fresh[id] = false;
            if (id != curr) {
                treeAdd(id);
                startWait(id, nowNs);
            }
            onRq[id] = true;
            nrQueued++;
            rebase();
        }
        if (curr < 0) {
            needResched = true;
            return true;
        }
        return wakeup && wakeupPreempt(id);
    }

    /** {@code place_entity} for an entity that is not (or no longer) counted in the queue. */
    private void placeEntity(int id, boolean initial) {
        if (!customSlice[id]) {
            slice[id] = params.baseSliceNs();
        }
        long vs = vslice(id);
        long v = avgVruntime();
        long lag = 0;
        if (nrQueued > 0 && vlag[id] != 0) {
            // kvm-model §6.2 PLACE_LAG: scale by (W + w)/W so the lag survives the entity's own effect on V
            long load = sumW + (curr >= 0 && onRq[curr] ? weight[curr] : 0);
            lag = vlag[id] * (load + weight[id]);
            lag /= Math.max(1, load); // div_s64 truncates toward zero
        }
        vruntime[id] = v - lag;
        if (relDeadline[id]) {
            deadline[id] += vruntime[id];
            relDeadline[id] = false;
            return;
        }
        if (initial) {
            vs /= 2; // PLACE_DEADLINE_INITIAL
        }
        deadline[id] = vruntime[id] + vs;
    }

    private void requeueDelayed(int id, long nowNs) {
        if (params.delayZero()) { // kvm-model §6.2 DELAY_ZERO
            updateEntityLag(id);
            if (vlag[id] > 0) {
                nrQueued--;
                if (id != curr) {
                    treeRemove(id);
                }
                vlag[id] = 0;
                placeEntity(id, false);
                if (id != curr) {
                    treeAdd(id);
                }
                nrQueued++;
            }
        }
        delayed[id] = false;
        if (id != curr) {
            startWait(id, nowNs);
        }
        rebase();
    }

    /**
     * Takes the entity off the run queue: {@code dequeue_entity}. It saves vlag = clamp(V − v, ±{@link #lagLimit}).
     * With DELAY_DEQUEUE a sleeper that is not eligible stays queued as {@code sched_delayed} instead, competing until
     * a pick selects it ({@link #pick}) or it wakes ({@link #enqueue}). A non-sleep dequeue (migration) keeps its
     * deadline relative to v for the next placement (PLACE_REL_DEADLINE). Curr may be dequeued; it stays curr, off the
     * queue, until the next {@link #pick}.
     *
     * @param sleep the task blocks ({@code DEQUEUE_SLEEP}); false for a migration
     * @return true if the entity left the queue, false if it was delayed
     */
    public boolean dequeue(int id, long nowNs, boolean sleep) {
        check(id);
        if (!onRq[id]) {
            throw new IllegalStateException("entity " + id + " is not queued");
        }
        if (sleep && delayed[id]) {
            throw new IllegalStateException("entity " + id + " is already sleeping (delayed)");
        }
        updateCurr(nowNs);
        clearBuddies(id);
        if (delayed[id]) {
            // a non-sleep dequeue completes the delayed dequeue (the task is asleep: no relative deadline)
            realDequeue(id, nowNs, false, true);
            return true;
        }
        if (sleep && params.delayDequeue() && !eligible(id)) { // kvm-model §6.2 DELAY_DEQUEUE
            delayed[id] = true;
            stopWait(id, nowNs);
            return false;
        }
        realDequeue(id, nowNs, !sleep, false);
        return true;
    }

    private void realDequeue(int id, long nowNs, boolean keepRelDeadline, boolean finishDelayed) {
        updateEntityLag(id);
        if (keepRelDeadline) {
            deadline[id] -= vruntime[id];
            relDeadline[id] = true;
        }
        if (id != curr) {
            treeRemove(id);
        }
        onRq[id] = false;
        nrQueued--;
        stopWait(id, nowNs);
        rebase();
        if (finishDelayed) {
            delayed[id] = false;
            if (params.delayZero() && vlag[id] > 0) {
                vlag[id] = 0;
            }
        }
    }

    // ---- pick (§6.3) ----

    /**
     * {@code __pick_eevdf(cfs_rq, protect = true)} without side effects: the single entity if only one is queued;
     * else the next buddy if PICK_BUDDY and it is eligible; else curr if it is queued, eligible and slice-protected;
     * else the eligible entity with the earliest deadline, curr included (ties: the earlier queued entity, curr only
     * if strictly earlier). The result may be a {@code sched_delayed} entity, which {@link #pick} dequeues instead.
     *
     * @return the entity, or -1 if nothing is queued
     */
    public int pickEevdf() {
        return pickEevdf(true);
    }

    private int pickEevdf(boolean protect) {
        if (nrQueued == 0) {
            return -1;
        }
        int c = curr >= 0 && onRq[curr] ? curr : -1;
        if (nrQueued == 1) {
            if (c >= 0) {
                return c;
            }
            for (int i = 0; i < count; i++) {
                if (onRq[i] && i != curr) {
                    return i;
                }
            }
        }
        if (params.pickBuddy() && protect && next >= 0 && eligible(next)) { // kvm-model §6.3 step 2
            return next;
        }
        long avg = sumWKey;
        long load = sumW;
        if (c >= 0) {
            avg += weight[c] * (vruntime[c] - zeroV);
            load += weight[c];
        }
        if (c >= 0 && avg < (vruntime[c] - zeroV) * load) {
            c = -1;
        }
        if (c >= 0 && protect && protectSlice(c)) { // kvm-model §6.3 step 4, RUN_TO_PARITY
            return c;
        }
        int best = -1;
        for (int i = 0; i < count; i++) {
            if (onRq[i] && i != curr && avg >= (vruntime[i] - zeroV) * load && (best < 0 || before(i, best))) {
                best = i;
            }
        }
        if (best < 0 || (c >= 0 && deadline[c] - deadline[best] < 0)) {
            best = c;
        }
        if (best < 0) {
            // unreachable with exact V (someone is always at or below the average); earliest deadline as a guard
            for (int i = 0; i < count; i++) {
                if (onRq[i] && (best < 0 || before(i, best))) {
                    best = i;
                }
            }
        }
        return best;
    }

    private boolean before(int a, int b) {
        long d = deadline[a] - deadline[b];
        return d < 0 || (d == 0 && seq[a] < seq[b]);
    }

    /**
     * The scheduling decision ({@code pick_next_task_fair}): updates curr, runs {@link #pickEevdf()}, really dequeues
     * any {@code sched_delayed} entity it returns and picks again, then switches: the previous curr goes back into
     * the queue if still queued ({@code put_prev_entity}) and the pick becomes curr ({@code set_next_entity}: clears
     * its buddy mark, sets its slice protection vprot = min(d, v + calc_delta_fair(min slice))). Picking the current
     * entity again changes nothing. Clears {@link #needResched()}.
     *
     * @return the new curr, or -1 if the queue is empty (the CPU goes idle)
     */
    public int pick(long nowNs) {
        if (curr >= 0 && onRq[curr]) {
            updateCurr(nowNs);
        }
        int se;
        while (true) {
            se = pickEevdf(true);
            if (se < 0 || !delayed[se]) {
                break;
            }
            // dequeue_entities(DEQUEUE_SLEEP | DEQUEUE_DELAYED)
            clearBuddies(se);
            realDequeue(se, nowNs, false, true);
        }
        if (se != curr) {
            putPrev(nowNs);
            if (se >= 0) {
                setNext(se, nowNs);
            }
        }
        needResched = false;
        return se;
    }

    /**
     * Makes a queued entity curr without consulting the pick ({@code set_next_entity}), putting the previous curr
     * back first. For callers that decide themselves (tests, an RT class above this queue). Clears
     * {@link #needResched()} like a pick.
     */
    public void setCurr(int id, long nowNs) {
        check(id);
        if (!onRq[id] || delayed[id]) {
            throw new IllegalStateException("entity " + id + " is not runnable on this queue");
        }
        if (id != curr) {
            putPrev(nowNs);
            setNext(id, nowNs);
        }
        needResched = false;
    }

    /**
     * Takes curr off the CPU ({@code put_prev_entity}): it is charged up to now and, if still queued, goes back into
     * the queue and starts waiting. Afterwards there is no curr.
     */
    public void putPrev(long nowNs) {
        int c = curr;
        if (c < 0) {
            return;
        }
        if (onRq[c]) {
            updateCurr(nowNs);
            treeAdd(c);
            if (!delayed[c]) {
                startWait(c, nowNs);
            }
        }
        curr = -1;
    }

    private void setNext(int id, long nowNs) {
        clearBuddies(id);
        if (onRq[id]) {
            stopWait(id, nowNs);
            treeRemove(id);
            setProtectSlice(id);
        }
        curr = id;
        execStartNs = nowNs;
    }

    /** {@code set_protect_slice}: vprot = min(d, v + calc_delta_fair(min(S, r))), S the min slice or the base slice. */
    private void setProtectSlice(int id) {
        long s = params.runToParity() ? minSlice() : params.baseSliceNs();
        s = Math.min(s, slice[id]);
        long vp = deadline[id];
        if (s != slice[id]) {
            vp = Math.min(vp, vruntime[id] + calcDeltaFair(s, weight[id]));
        }
        vprot[id] = vp;
    }

    /** {@code cfs_rq_min_slice} over every queued entity, curr included. */
    private long minSlice() {
        long s = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            if (onRq[i]) {
                s = Math.min(s, slice[i]);
            }
        }
        return s;
    }

    private void updateProtectSlice(int id) {
        vprot[id] = Math.min(vprot[id], vruntime[id] + calcDeltaFair(minSlice(), weight[id]));
    }

    private void cancelProtectSlice(int id) {
        if (protectSlice(id)) {
            vprot[id] = vruntime[id];
        }
    }

    /**
     * {@code wakeup_preempt_fair} after the wakee was queued (§6.3, NEXT_BUDDY off): PREEMPT_SHORT evaluates the pick
     * without slice protection when the wakee has the shorter slice; otherwise an ineligible curr is rescheduled; then
     * a resched if the pick would now return the wakee, else curr's protection is tightened to the queue's min slice.
     */
    private boolean wakeupPreempt(int id) {
        return !needResched && checkPreempt(id);
    }

    private boolean checkPreempt(int id) {
        int c = curr;
        if (id == c || !onRq[c] || delayed[c]) {
            return false;
        }
        boolean shortSlice = slice[id] < slice[c];
        if (!shortSlice && !eligible(c)) {
            needResched = true;
            return true;
        }
        if (pickEevdf(!shortSlice) == id) {
            if (shortSlice) {
                cancelProtectSlice(c);
            }
            needResched = true;
            return true;
        }
        if (params.runToParity()) {
            updateProtectSlice(c);
        }
        return false;
    }

    // ---- buddies, yield and the series' lag credit (§5.4, §6.4, §6.5) ----

    /** {@code set_next_buddy}: nominates a queued, not delayed entity as {@code cfs_rq->next}. */
    public void setNextBuddy(int id) {
        check(id);
        if (!onRq[id] || delayed[id]) {
            throw new IllegalStateException("entity " + id + " cannot be a buddy: not runnable on this queue");
        }
        next = id;
    }

    private void clearBuddies(int id) {
        if (next == id) {
            next = -1;
        }
    }

    /**
     * {@code yield_task_fair} on curr (upstream since 79104becf42b): nothing if it is alone; otherwise clear its buddy
     * mark and, only if it is eligible, forfeit the rest of the slice: v := d, d += vslice. The caller has updated curr.
     */
    private void yieldTaskFair(int y) {
        if (nrQueued == 1) {
            return;
        }
        clearBuddies(y);
        if (eligible(y)) { // kvm-model §5.4 step 3: only an eligible yielder forfeits
            vruntime[y] = deadline[y];
            deadline[y] += vslice(y);
            forfeits++;
            rebase();
        }
    }

    /**
     * The patch 02 margin: min(⌊k · nr_queued · calc_delta_fair(base slice, w)⌋, {@link #lagLimit}) ([I], §6.5).
     */
    public long creditMargin(int id) {
        long baseVslice = calcDeltaFair(params.baseSliceNs(), weight[check(id)]);
        long m = (long) Math.floor(params.lagCreditK() * nrQueued * (double) baseVslice);
        return Math.min(m, lagLimit(id));
    }

    /**
     * {@code eevdf_credit_entity_vlag} (patches 01 and 03, [I] formula): if the entity's lag V − v is below
     * {@code marginV}, move it back so that its lag becomes at least {@code marginV}, shifting its deadline and vprot
     * by the same Δ. Curr (off-tree) is shifted in place; a queued entity is taken out of the V sums, re-placed and put
     * back (the canonical requeue), so the sums stay consistent. Both use place_entity's (W+w)/W compensation, since
     * moving the entity moves V, and round so integer truncation never leaves the lag below the margin. The margin is
     * lowered so that no other entity on the queue is left with a lag below −{@link #lagLimit}.
     *
     * @param marginV the lag to credit up to, virtual ns (≥ 0)
     * @return whether the entity was moved (false if it is not runnable here, is alone, or already has the lag)
     */
    public boolean credit(int id, long marginV) {
        check(id);
        if (!onRq[id] || delayed[id] || marginV < 0 || avgVruntime() - vruntime[id] >= marginV) {
            return false;
        }
        long avg = sumWKey;
        long load = sumW;
        if (curr >= 0 && onRq[curr]) {
            avg += weight[curr] * (vruntime[curr] - zeroV);
            load += weight[curr];
        }
        long w = weight[id];
        avg -= w * (vruntime[id] - zeroV);
        load -= w;
        if (load == 0) {
            return false;
        }
        long vOthers = zeroV + Math.floorDiv(avg, load);
        // Crediting lowers V to vOthers − w·margin/load, and every other entity's lag with it. The credit stops where
        // the most-behind of them would leave entity_lag()'s legal bound (V − v ≥ −limit): the cover letter clamps the
        // margin to that bound, and a bystander must not pay without limit over repeated yields (review H3) [I].
        long floorV = Long.MIN_VALUE;
        for (int e = 0; e < count; e++) {
            if (e != id && onRq[e]) {
                floorV = Math.max(floorV, vruntime[e] - lagLimit(e));
            }
        }
        long bound = Math.floorDiv(Math.max(0, vOthers - floorV - 1) * load, w);
        if (bound < marginV) {
            marginV = bound;
            if (avgVruntime() - vruntime[id] >= marginV) {
                return false;
            }
        }
        long scaledLag = -Math.floorDiv(-marginV * (load + w), load); // ceil
        long delta = vOthers - scaledLag - vruntime[id];
        boolean inTree = id != curr;
        if (inTree) {
            treeRemove(id);
        }
        vruntime[id] += delta;
        deadline[id] += delta;
        vprot[id] += delta;
        vlag[id] = marginV;
        if (inTree) {
            treeAdd(id);
        }
        rebase();
        return true;
    }

    /**
     * {@code yield_to(p, preempt)} from {@code yielder}, which must be curr of {@code rq}, to {@code target} on
     * {@code targetRq} (possibly the same instance), in the kernel's order (§5.4):
     *
     * <ol>
     *   <li>−{@link #ESRCH} if both queues have exactly one queued entity;
     *   <li>0 if the yielder is RT (no {@code yield_to_task}) or the target's class differs;
     *   <li>0 if the target is running (curr of its queue) or not runnable (not queued, or {@code sched_delayed});
     *   <li>{@code yield_to_task_fair}: {@code set_next_buddy(target)}; with {@code eevdfLagCredit} and a same-rq
     *       target, credit the target to {@link #creditMargin} if it is ineligible (patch 04); {@code yield_task_fair}
     *       on the yielder (the forfeit if it is eligible); with {@code eevdfLagCredit} and a same-rq target, the
     *       forced local resched (patch 05): cancel the yielder's slice protection, at most once per
     *       {@code forcedReschedIntervalNs} per rq;
     *   <li>success: the yielder's queue needs a resched (the yielder calls {@code schedule()}), and a different target
     *       queue too if {@code preempt}.
     * </ol>
     *
     * @return 1 if the target was boosted, 0 on failure, −ESRCH if yielding is pointless
     */
    public static int yieldTo(Eevdf rq, int yielder, Eevdf targetRq, int target, long nowNs, boolean preempt) {
        return yieldToFlat(rq, yielder, targetRq, target, nowNs, preempt);
    }

    private static int yieldToFlat(Eevdf rq, int yielder, Eevdf targetRq, int target, long nowNs, boolean preempt) {
        rq.check(yielder);
        targetRq.check(target);
        if (rq.curr != yielder) {
            throw new IllegalStateException("the yielder must be curr of its run queue");
        }
        if (rq.nrQueued == 1 && targetRq.nrQueued == 1) { // kvm-model §5.4, in the kernel's order
            return -ESRCH;
        }
        if (rq.rt[yielder] || targetRq.rt[target]) {
            return 0;
        }
        if (targetRq.curr == target || !targetRq.onRq[target] || targetRq.delayed[target]) {
            return 0;
        }
        boolean sameRq = rq == targetRq;
        rq.updateCurr(nowNs);
        if (!sameRq) {
            targetRq.updateCurr(nowNs);
        }
        targetRq.next = target; // set_next_buddy
        // kvm-model §6.5: the credit is a same-runqueue mechanism (V3-00 "Scope"); patch 04 credits the buddy after
        // set_next_buddy and before yield_task_fair, so the yielder's forfeit test sees the credited V
        boolean series = sameRq && rq.params.eevdfLagCredit();
        if (series && !rq.eligible(target) && rq.credit(target, rq.creditMargin(target))) {
            rq.creditsApplied++;
        }
        rq.yieldTaskFair(yielder);
        // patch 05: cancel_protect_slice + resched_curr on the local rq, rate-limited; the credit above is not
        if (series && (!rq.forcedEver || nowNs - rq.lastForcedNs >= rq.params.forcedReschedIntervalNs())) {
            rq.cancelProtectSlice(yielder);
            rq.forcedEver = true;
            rq.lastForcedNs = nowNs;
            rq.forcedResched++;
        }
        rq.directedYields++;
        rq.needResched = true;
        if (preempt && !sameRq) {
            targetRq.needResched = true;
        }
        return 1;
    }

    /**
     * Moves a queued, waiting entity from {@code src} to {@code dst} (a migration): a non-sleep dequeue on
     * {@code src} (vlag saved, deadline kept relative), the per-task state copied to the same id on {@code dst}, and a
     * non-wakeup enqueue there. The id must exist in both queues; the source's copy of the entity is stale afterwards.
     *
     * @return whether {@code dst} needs a resched (it was idle)
     */
    public static boolean migrate(Eevdf src, Eevdf dst, int id, long nowNs) {
        return migrate(src, id, dst, id, nowNs);
    }

    // ---- hooks for a task-group hierarchy (CfsHierarchy: one instance per cfs_rq) ----

    /** {@code cfs_rq->load.weight}: the weight of every queued entity, curr (if queued) and delayed ones included. */
    public long queueWeight() {
        return sumW + (curr >= 0 && onRq[curr] ? weight[curr] : 0);
    }

    /**
     * {@code check_preempt_wakeup_fair} at the level {@code find_matching_se} found: {@code wakee} and curr are
     * siblings in this cfs_rq. The caller has tested the run queue's TIF_NEED_RESCHED and updated curr.
     *
     * @return whether the wakee preempts (a resched is also latched here)
     */
    public boolean wakeupPreemptAt(int wakee) {
        check(wakee);
        if (curr < 0) {
            return false;
        }
        return checkPreempt(wakee);
    }

    /** Returns and clears this instance's resched latch (a hierarchy keeps its own per-CPU flag). */
    boolean takeResched() {
        boolean r = needResched;
        needResched = false;
        return r;
    }

    /** {@code cfs_rq->next = se} without checks: {@code set_next_buddy} sets it at every level, curr included. */
    void markNext(int id) {
        next = check(id);
    }

    /** One level of {@code __clear_buddies_next}: clears next if it is {@code id}; returns whether it was. */
    boolean clearNextIf(int id) {
        if (next == id) {
            next = -1;
            return true;
        }
        return false;
    }

    /** {@code yield_task_fair}'s forfeit at the leaf, without its run-queue test: v := d, d += vslice if eligible. */
    boolean forfeitIfEligible(int id) {
        if (!eligible(id)) {
            return false;
        }
        vruntime[id] = deadline[id];
        deadline[id] += vslice(id);
        forfeits++;
        rebase();
        return true;
    }

    /** {@code cancel_protect_slice}. */
    void cancelProtection(int id) {
        cancelProtectSlice(check(id));
    }

    void countDirectedYield() {
        directedYields++;
    }

    void countCredit() {
        creditsApplied++;
    }

    void countForcedResched() {
        forcedResched++;
    }

    /**
     * {@code reweight_entity} (a group entity's new shares, {@code update_cfs_group}): curr is charged first; a queued
     * entity keeps its lag V − v and its relative deadline, both scaled by old/new weight (vlag = V − v while the
     * weighted lag w·(V − v) is what is conserved), and is re-placed against the rest of the queue with
     * place_entity's (W+w)/W compensation; vprot moves with v. A sleeping entity only has its saved vlag (and a
     * relative deadline) scaled. [I] the kernel places a reweighted curr against a V that still contains curr; the
     * model places it against the others, so that a reweight alone moves nobody's lag.
     */
    public void reweight(int id, long newWeight, long nowNs) {
        check(id);
        if (newWeight <= 0) {
            throw new IllegalArgumentException("weight must be positive");
        }
        long old = weight[id];
        if (old == newWeight) {
            return;
        }
        if (!onRq[id]) {
            vlag[id] = vlag[id] * old / newWeight;
            if (relDeadline[id]) {
                deadline[id] = deadline[id] * old / newWeight;
            }
            weight[id] = newWeight;
            return;
        }
        updateCurr(nowNs);
        long avg = sumWKey;
        long load = sumW;
        if (curr >= 0 && onRq[curr]) {
            avg += weight[curr] * (vruntime[curr] - zeroV);
            load += weight[curr];
        }
        long limit = lagLimit(id);
        long lag = Math.max(-limit, Math.min(limit, zeroV + Math.floorDiv(avg, load) - vruntime[id]));
        avg -= old * (vruntime[id] - zeroV);
        load -= old;
        boolean inTree = id != curr;
        if (inTree) {
            treeRemove(id);
        }
        long relD = (deadline[id] - vruntime[id]) * old / newWeight;
        long relP = (vprot[id] - vruntime[id]) * old / newWeight;
        lag = lag * old / newWeight;
        weight[id] = newWeight;
        long v = vruntime[id];
        if (load > 0) {
            v = zeroV + Math.floorDiv(avg, load) - lag * (load + newWeight) / load;
        }
        vruntime[id] = v;
        deadline[id] = v + relD;
        vprot[id] = v + relP;
        vlag[id] = lag;
        if (inTree) {
            treeAdd(id);
        }
        rebase();
    }

    /**
     * {@link #migrate} between two run queues whose ids for the task differ (a hierarchy creates entities per CPU on
     * demand). The destination entity must exist and be off the queue.
     */
    public static boolean migrate(Eevdf src, int srcId, Eevdf dst, int dstId, long nowNs) {
        src.check(srcId);
        dst.check(dstId);
        if (!src.onRq[srcId] || src.delayed[srcId] || src.curr == srcId) {
            throw new IllegalStateException("only a queued, waiting entity can migrate");
        }
        if (dst.onRq[dstId]) {
            throw new IllegalStateException("entity " + dstId + " is already queued on the destination");
        }
        src.dequeue(srcId, nowNs, false);
        transferState(src, srcId, dst, dstId);
        return dst.enqueue(dstId, nowNs, false);
    }

    /** The per-task state a migration carries (after a non-sleep dequeue on {@code src}). */
    static void transferState(Eevdf src, int srcId, Eevdf dst, int dstId) {
        dst.weight[dstId] = src.weight[srcId];
        dst.slice[dstId] = src.slice[srcId];
        dst.customSlice[dstId] = src.customSlice[srcId];
        dst.rt[dstId] = src.rt[srcId];
        dst.vlag[dstId] = src.vlag[srcId];
        dst.deadline[dstId] = src.deadline[srcId];
        dst.relDeadline[dstId] = src.relDeadline[srcId];
        dst.fresh[dstId] = false;
        dst.sumExecNs[dstId] = src.sumExecNs[srcId];
        dst.runDelayNs[dstId] = src.runDelayNs[srcId];
        src.relDeadline[srcId] = false;
    }

    // ---- run delay (sched_info.run_delay, the steal time source) ----

    private void startWait(int id, long nowNs) {
        if (waitStartNs[id] == NOT_WAITING) {
            waitStartNs[id] = nowNs;
        }
    }

    private void stopWait(int id, long nowNs) {
        if (waitStartNs[id] != NOT_WAITING) {
            runDelayNs[id] += nowNs - waitStartNs[id];
            waitStartNs[id] = NOT_WAITING;
        }
    }

    /** Completed time the entity spent runnable but not running (queued, not delayed, not curr), ns. */
    public long runDelayNs(int id) {
        return runDelayNs[check(id)];
    }

    /** {@link #runDelayNs(int)} plus the wait in progress at {@code nowNs}: what a guest would see as steal time. */
    public long runDelayNs(int id, long nowNs) {
        long w = waitStartNs[check(id)];
        return runDelayNs[id] + (w == NOT_WAITING ? 0 : nowNs - w);
    }

    /** Total run time charged to the entity ({@code sum_exec_runtime}), ns, as of the last update of curr. */
    public long sumExecNs(int id) {
        return sumExecNs[check(id)];
    }

    // ---- state ----

    private int check(int id) {
        if (id < 0 || id >= count) {
            throw new IllegalArgumentException("no entity " + id);
        }
        return id;
    }

    public EevdfParams params() {
        return params;
    }

    public int entityCount() {
        return count;
    }

    /** The running entity, or -1 (idle). It may be off the queue (it went to sleep) until the next {@link #pick}. */
    public int curr() {
        return curr;
    }

    /** {@code cfs_rq->next}, or -1. */
    public int nextBuddy() {
        return next;
    }

    /** {@code nr_queued}: queued entities, curr and {@code sched_delayed} ones included (the rq's nr_running). */
    public int nrQueued() {
        return nrQueued;
    }

    /** {@code on_rq}: queued here, including curr and delayed entities. */
    public boolean isQueued(int id) {
        return onRq[check(id)];
    }

    /** {@code sched_delayed}: asleep but still queued (DELAY_DEQUEUE). */
    public boolean isDelayed(int id) {
        return delayed[check(id)];
    }

    public boolean isRt(int id) {
        return rt[check(id)];
    }

    /** A resched was requested (tick, wakeup preemption, yield) and no {@link #pick} has run since. */
    public boolean needResched() {
        return needResched;
    }

    public long weight(int id) {
        return weight[check(id)];
    }

    public long vruntime(int id) {
        return vruntime[check(id)];
    }

    /** The virtual deadline (meaningless while a non-sleep dequeue keeps it relative). */
    public long deadline(int id) {
        return deadline[check(id)];
    }

    /** The lag saved at the last dequeue (or set by a credit), virtual ns. */
    public long vlag(int id) {
        return vlag[check(id)];
    }

    /** The request size r, ns. */
    public long sliceNs(int id) {
        return slice[check(id)];
    }

    /** The slice-protection limit set when the entity last became curr. */
    public long vprot(int id) {
        return vprot[check(id)];
    }

    /** Successful {@link #yieldTo} calls whose yielder ran on this queue. */
    public long directedYields() {
        return directedYields;
    }

    /** Yielders on this queue that forfeited their slice (v := d). */
    public long forfeits() {
        return forfeits;
    }

    /** Lag credits applied to yield targets on this queue (patches 02 to 04). */
    public long creditsApplied() {
        return creditsApplied;
    }

    /** Forced local rescheds of this queue (patch 05, rate-limited). */
    public long forcedResched() {
        return forcedResched;
    }
}
