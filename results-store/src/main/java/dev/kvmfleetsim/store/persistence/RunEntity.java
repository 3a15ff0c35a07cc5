package dev.kvmfleetsim.store.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.OrderBy;
import jakarta.persistence.PrimaryKeyJoinColumn;
import jakarta.persistence.SecondaryTable;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.Immutable;

/**
 * A stored run, read with Panache: {@code run_result} with its exit rows, counters, latency summaries and (secondary
 * table) workload metrics. Read-only: the consumers write these tables with JDBC ({@link RunResultWriter}).
 */
@Entity
@Immutable
@Table(name = "run_result")
@SecondaryTable(name = "workload_metric", pkJoinColumns = @PrimaryKeyJoinColumn(name = "run_id"))
public class RunEntity extends PanacheEntityBase {

    @Id
    @Column(name = "run_id")
    public String runId;

    @Column(name = "sweep_id")
    public String sweepId;

    @Column(name = "attempt")
    public int attempt;

    @Column(name = "seed")
    public long seed;

    @Column(name = "model_version")
    public String modelVersion;

    @Column(name = "host_sim_instance")
    public String hostSimInstance;

    @Column(name = "vms")
    public int vms;

    @Column(name = "vcpus_per_vm")
    public int vcpusPerVm;

    @Column(name = "pcpus")
    public int pcpus;

    @Column(name = "overcommit")
    public BigDecimal overcommit;

    @Column(name = "ipi_window_ns")
    public long ipiWindowNs;

    @Column(name = "ipi_tracking_enabled")
    public boolean ipiTrackingEnabled;

    @Column(name = "enable_apicv")
    public boolean enableApicv;

    @Column(name = "enable_ipiv")
    public boolean enableIpiv;

    @Column(name = "x2apic")
    public boolean x2apic;

    @Column(name = "eevdf_lag_credit")
    public boolean eevdfLagCredit;

    @Column(name = "ipi_aware_candidates")
    public boolean ipiAwareCandidates;

    @Column(name = "enable_relaxed_boost")
    public boolean enableRelaxedBoost;

    @Column(name = "workload_mix")
    public String workloadMix;

    @Column(name = "duration_ns")
    public long durationNs;

    @Column(name = "measured_ns")
    public long measuredNs;

    @Column(name = "events_processed")
    public long eventsProcessed;

    @Column(name = "wall_millis")
    public long wallMillis;

    /** The resolved scenario as JSON text. */
    @Column(name = "scenario")
    @ColumnTransformer(read = "CAST(scenario AS text)")
    public String scenario;

    /** Derived quantities as JSON text. */
    @Column(name = "derived")
    @ColumnTransformer(read = "CAST(derived AS text)")
    public String derived;

    @Column(name = "received_at")
    public OffsetDateTime receivedAt;

    @Column(name = "iterations", table = "workload_metric")
    public Long iterations;

    @Column(name = "iterations_per_sec", table = "workload_metric")
    public Double iterationsPerSec;

    @Column(name = "spin_fraction", table = "workload_metric")
    public Double spinFraction;

    @Column(name = "steal_fraction", table = "workload_metric")
    public Double stealFraction;

    @ElementCollection
    @CollectionTable(name = "exit_stat", joinColumns = @JoinColumn(name = "run_id"))
    @OrderBy("samples DESC, vmxCode ASC")
    public List<ExitStat> exits = new ArrayList<>();

    @ElementCollection
    @CollectionTable(name = "kvm_counter", joinColumns = @JoinColumn(name = "run_id"))
    @MapKeyColumn(name = "name")
    @Column(name = "value")
    public Map<String, Long> counters = new TreeMap<>();

    @ElementCollection
    @CollectionTable(name = "latency_summary", joinColumns = @JoinColumn(name = "run_id"))
    @MapKeyColumn(name = "kind")
    public Map<String, Latency> latencies = new TreeMap<>();

    /** Whether any run of the sweep is stored. */
    public static boolean sweepExists(String sweepId) {
        return count("sweepId", sweepId) > 0;
    }

    /** One row of {@code exit_stat}. */
    @Embeddable
    public static class ExitStat {
        @Column(name = "reason")
        public String reason;

        @Column(name = "vmx_code")
        public int vmxCode;

        @Column(name = "samples")
        public long samples;

        @Column(name = "samples_pct")
        public double samplesPct;

        @Column(name = "time_pct")
        public double timePct;

        @Column(name = "min_ns")
        public long minNs;

        @Column(name = "max_ns")
        public long maxNs;

        @Column(name = "mean_ns")
        public double meanNs;
    }

    /** One row of {@code latency_summary} (its kind is the map key). */
    @Embeddable
    public static class Latency {
        @Column(name = "count")
        public long count;

        @Column(name = "mean_ns")
        public double meanNs;

        @Column(name = "p50_ns")
        public long p50Ns;

        @Column(name = "p90_ns")
        public long p90Ns;

        @Column(name = "p99_ns")
        public long p99Ns;

        @Column(name = "p999_ns")
        public long p999Ns;

        @Column(name = "max_ns")
        public long maxNs;
    }
}
