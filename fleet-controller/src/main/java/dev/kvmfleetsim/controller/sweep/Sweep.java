package dev.kvmfleetsim.controller.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.contract.DetailLevel;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A sweep: a grid over a base scenario, expanded into {@link Run}s (table {@code controller.sweep}). */
@Entity
@Table(name = "sweep")
public class Sweep {

    @Id
    @Column(name = "id", length = 36)
    public String id;

    @Column(name = "name", nullable = false, length = 200)
    public String name;

    @Column(name = "seed", nullable = false)
    public long seed;

    @Column(name = "repetitions", nullable = false)
    public int repetitions;

    @Enumerated(EnumType.STRING)
    @Column(name = "detail", nullable = false, length = 16)
    public DetailLevel detail;

    @Enumerated(EnumType.STRING)
    @Column(name = "state", nullable = false, length = 16)
    public SweepState state;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    /** The base scenario as submitted. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "base_scenario", nullable = false)
    public JsonNode baseScenario;

    /** The axes in the order given, as {@code [{"axis": name, "values": [...]}, ...]}. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "grid", nullable = false)
    public JsonNode grid;

    /** Points of the cartesian product (before identical ones are merged). */
    @Column(name = "grid_points", nullable = false)
    public int gridPoints;

    /** Distinct runs stored. */
    @Column(name = "run_count", nullable = false)
    public int runCount;
}
