package dev.kvmfleetsim.controller.sweep;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Query;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Sweeps. */
@ApplicationScoped
public class SweepRepository implements PanacheRepositoryBase<Sweep, String> {

    private static final String NO_ACTIVE_RUNS =
            " and not exists (select 1 from Run r where r.sweepId = s.id and r.state in (:pending, :dispatched))";
    private static final String SOME_FAILED_RUN =
            " exists (select 1 from Run r where r.sweepId = s.id and r.state = :failedRun)";

    /** All sweeps, newest first, optionally only those in one state. */
    public List<Sweep> listNewestFirst(Optional<SweepState> state) {
        Sort newest = Sort.descending("createdAt").and("id");
        return state.map(st -> list("state", newest, st)).orElseGet(() -> listAll(newest));
    }

    /** The sweep, locked against concurrent changes until the transaction ends. */
    public Optional<Sweep> findForUpdate(String id) {
        return findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Finishes sweeps whose runs have all finished: a RUNNING one becomes FAILED if a run failed, else DONE; a FAILED
     * one whose failed runs have since delivered results becomes DONE. Conditional updates, so concurrent callers
     * agree. With a sweep id, only that sweep.
     *
     * @return the number of sweeps changed
     */
    public int finishCompleted(String sweepId, Instant now) {
        String only = sweepId == null ? "" : " and s.id = :id";
        Query failed = getEntityManager()
                .createQuery("update Sweep s set s.state = :failed, s.finishedAt = :now where s.state = :running"
                        + NO_ACTIVE_RUNS + " and" + SOME_FAILED_RUN + only)
                .setParameter("failed", SweepState.FAILED)
                .setParameter("running", SweepState.RUNNING);
        Query done = getEntityManager()
                .createQuery("update Sweep s set s.state = :done, s.finishedAt = :now"
                        + " where s.state in (:running, :failed)" + NO_ACTIVE_RUNS + " and not" + SOME_FAILED_RUN
                        + only)
                .setParameter("done", SweepState.DONE)
                .setParameter("running", SweepState.RUNNING)
                .setParameter("failed", SweepState.FAILED);
        int changed = 0;
        for (Query q : List.of(failed, done)) {
            q.setParameter("now", now)
                    .setParameter("pending", RunState.PENDING)
                    .setParameter("dispatched", RunState.DISPATCHED)
                    .setParameter("failedRun", RunState.FAILED);
            if (sweepId != null) {
                q.setParameter("id", sweepId);
            }
            changed += q.executeUpdate();
        }
        return changed;
    }
}
