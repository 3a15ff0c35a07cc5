package dev.kvmfleetsim.controller.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One run of one grid point in one repetition (table {@code controller.run}). */
@Entity
@Table(name = "run")
public class Run {

    /** {@code <sweep id>-p<point index>-r<repetition>}: the same for every dispatch attempt. */
    @Id
    @Column(name = "run_id", length = 100)
    public String runId;

    @Column(name = "sweep_id", nullable = false, length = 36)
    public String sweepId;

    @Column(name = "point_index", nullable = false)
    public int pointIndex;

    /** 0-based. */
    @Column(name = "repetition", nullable = false)
    public int repetition;

    @Column(name = "seed", nullable = false)
    public long seed;

    /** Axis name → value at this grid point. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "parameters", nullable = false)
    public JsonNode parameters;

    /** The resolved scenario, its seed set to {@link #seed}. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "scenario", nullable = false)
    public JsonNode scenario;

    /** Later grid points with the identical scenario, which this run answers too. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "duplicate_points", nullable = false)
    public JsonNode duplicatePoints;

    @Enumerated(EnumType.STRING)
    @Column(name = "state", nullable = false, length = 16)
    public RunState state;

    /** Dispatches so far: 0 while never sent, 1 after the first, +1 per re-dispatch after an expired lease. */
    @Column(name = "attempt", nullable = false)
    public int attempt;

    @Column(name = "lease_expires_at")
    public Instant leaseExpiresAt;

    @Column(name = "dispatched_at")
    public Instant dispatchedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "result_attempt")
    public Integer resultAttempt;

    @Column(name = "host_sim_instance", length = 200)
    public String hostSimInstance;

    /** The id of a run: deterministic from its sweep, point and repetition. */
    public static String idOf(String sweepId, int pointIndex, int repetition) {
        return sweepId + "-p" + pointIndex + "-r" + repetition;
    }
}
