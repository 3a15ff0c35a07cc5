package dev.kvmfleetsim.hostsim.model.sched;

/** Drives a run queue the way the host does: a tick every {@code tickNs}, a pick whenever a resched is requested. */
final class Ticks {
    static final long MS = 1_000_000L;
    static final long US = 1_000L;

    private Ticks() {}

    /**
     * Ticks from {@code fromNs} (exclusive) to {@code toNs} (inclusive).
     *
     * @return how many times curr changed
     */
    static int run(Eevdf rq, long fromNs, long toNs, long tickNs) {
        int switches = 0;
        for (long t = fromNs + tickNs; t <= toNs; t += tickNs) {
            if (rq.updateCurr(t) || rq.needResched()) {
                int before = rq.curr();
                if (rq.pick(t) != before) {
                    switches++;
                }
            }
        }
        return switches;
    }

    /** Weighted average of the queued entities' vruntimes (curr included if queued), rounded down. */
    static long recomputedV(Eevdf rq) {
        long sum = 0;
        long load = 0;
        for (int i = 0; i < rq.entityCount(); i++) {
            if (rq.isQueued(i)) {
                sum += rq.weight(i) * rq.vruntime(i);
                load += rq.weight(i);
            }
        }
        return Math.floorDiv(sum, load);
    }
}
