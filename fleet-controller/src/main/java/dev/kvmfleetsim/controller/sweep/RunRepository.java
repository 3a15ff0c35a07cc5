package dev.kvmfleetsim.controller.sweep;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs, and the queries of the dispatch job. */
@ApplicationScoped
public class RunRepository implements PanacheRepositoryBase<Run, String> {

    /** Key of the transaction-scoped advisory lock that makes one dispatch job at a time run across replicas. */
    private static final long DISPATCH_LOCK = 0x6b766d666c656574L;

    /** Runs of one sweep by state. */
    public Map<RunState, Long> countByState(String sweepId) {
        Map<RunState, Long> counts = new EnumMap<>(RunState.class);
        for (Object[] row : getEntityManager()
                .createQuery(
                        "select r.state, count(r) from Run r where r.sweepId = :id group by r.state", Object[].class)
                .setParameter("id", sweepId)
                .getResultList()) {
            counts.put((RunState) row[0], (Long) row[1]);
        }
        return counts;
    }

    /** Runs of every sweep by state: sweep id → state → count. */
    public Map<String, Map<RunState, Long>> countByState() {
        Map<String, Map<RunState, Long>> counts = new HashMap<>();
        for (Object[] row : getEntityManager()
                .createQuery(
                        "select r.sweepId, r.state, count(r) from Run r group by r.sweepId, r.state", Object[].class)
                .getResultList()) {
            counts.computeIfAbsent((String) row[0], k -> new EnumMap<>(RunState.class))
                    .put((RunState) row[1], (Long) row[2]);
        }
        return counts;
    }

    /** A page of a sweep's runs in dispatch order, optionally only those in one state. */
    public List<Run> page(String sweepId, Optional<RunState> state, int offset, int limit) {
        Sort order = Sort.ascending("repetition", "pointIndex");
        var query = state.map(st -> find(
                        "sweepId = :id and state = :state",
                        order,
                        Parameters.with("id", sweepId).and("state", st)))
                .orElseGet(() -> find("sweepId", order, sweepId));
        return query.range(offset, offset + limit - 1).list();
    }

    /** The run, locked against the dispatch job until the transaction ends; null if unknown. */
    public Run findForUpdate(String runId) {
        return findById(runId, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Takes the dispatch lock for this transaction: false if another controller replica holds it (then this one
     * skips a round).
     */
    public boolean tryDispatchLock() {
        return (Boolean) getEntityManager()
                .createNativeQuery("SELECT pg_try_advisory_xact_lock(?1)")
                .setParameter(1, DISPATCH_LOCK)
                .getSingleResult();
    }

    /** Runs in flight. */
    public long countDispatched() {
        return count("state", RunState.DISPATCHED);
    }

    /**
     * Up to {@code limit} pending runs of running sweeps, oldest sweep first, then by repetition and point (all points
     * of a repetition before the next one), locked; rows another transaction holds (a result arriving) are skipped.
     */
    @SuppressWarnings("unchecked")
    public List<Run> lockPending(int limit) {
        return getEntityManager()
                .createNativeQuery(
                        "SELECT r.* FROM controller.run r JOIN controller.sweep s ON s.id = r.sweep_id"
                                + " WHERE r.state = 'PENDING' AND s.state = 'RUNNING'"
                                + " ORDER BY s.created_at, s.id, r.repetition, r.point_index"
                                + " LIMIT ?1 FOR UPDATE OF r SKIP LOCKED",
                        Run.class)
                .setParameter(1, limit)
                .getResultList();
    }

    /** Sweeps with runs whose lease expired before {@code now}. */
    public List<String> sweepsWithExpiredLeases(Instant now) {
        return getEntityManager()
                .createQuery(
                        "select distinct r.sweepId from Run r where r.state = :dispatched and r.leaseExpiresAt < :now",
                        String.class)
                .setParameter("dispatched", RunState.DISPATCHED)
                .setParameter("now", now)
                .getResultList();
    }

    /**
     * Runs whose lease expired: CANCELLED if their sweep is no longer running, FAILED after {@code maxAttempts}
     * dispatches, else PENDING again (the next dispatch sends attempt + 1).
     *
     * @return how many were made pending again
     */
    public int expireLeases(Instant now, int maxAttempts) {
        String expired = "state = :dispatched and leaseExpiresAt < :now";
        update(
                "state = :cancelled, finishedAt = :now where " + expired
                        + " and sweepId in (select s.id from Sweep s where s.state <> :running)",
                Parameters.with("cancelled", RunState.CANCELLED)
                        .and("dispatched", RunState.DISPATCHED)
                        .and("now", now)
                        .and("running", SweepState.RUNNING));
        update(
                "state = :failed, finishedAt = :now where " + expired + " and attempt >= :max",
                Parameters.with("failed", RunState.FAILED)
                        .and("dispatched", RunState.DISPATCHED)
                        .and("now", now)
                        .and("max", maxAttempts));
        return update(
                "state = :pending where " + expired,
                Parameters.with("pending", RunState.PENDING)
                        .and("dispatched", RunState.DISPATCHED)
                        .and("now", now));
    }

    /** Cancels the pending runs of a sweep. */
    public int cancelPending(String sweepId, Instant now) {
        return update(
                "state = :cancelled, finishedAt = :now where sweepId = :id and state = :pending",
                Parameters.with("cancelled", RunState.CANCELLED)
                        .and("now", now)
                        .and("id", sweepId)
                        .and("pending", RunState.PENDING));
    }
}
