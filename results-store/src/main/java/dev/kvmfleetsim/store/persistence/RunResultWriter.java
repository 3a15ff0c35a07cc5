package dev.kvmfleetsim.store.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.ModelResult;
import dev.kvmfleetsim.contract.ModelResult.ExitRow;
import dev.kvmfleetsim.contract.ModelResult.LatencySummary;
import dev.kvmfleetsim.contract.RunResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes one {@link RunResult} into {@code run_result} and its child tables on a caller's connection (the caller owns
 * the transaction). Idempotent: the first result of a run wins, and a later one (a redelivery, or another attempt of
 * the same deterministic run) writes nothing. Stateless and thread-safe; unqualified table names resolve through the
 * connection's search path (schema {@code store}).
 */
public final class RunResultWriter {
    private static final String INSERT_RUN = "INSERT INTO run_result (run_id, sweep_id, attempt, seed, model_version,"
            + " host_sim_instance, vms, vcpus_per_vm, pcpus, overcommit, ipi_window_ns, ipi_tracking_enabled,"
            + " enable_apicv, enable_ipiv, x2apic, eevdf_lag_credit, ipi_aware_candidates, enable_relaxed_boost,"
            + " workload_mix, duration_ns, measured_ns, events_processed, wall_millis, scenario, derived)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb),"
            + " CAST(? AS jsonb)) ON CONFLICT ON CONSTRAINT run_result_pk DO NOTHING RETURNING run_id";
    private static final String INSERT_EXIT = "INSERT INTO exit_stat (run_id, reason, vmx_code, samples, samples_pct,"
            + " time_pct, min_ns, max_ns, mean_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_COUNTER = "INSERT INTO kvm_counter (run_id, name, value) VALUES (?, ?, ?)";
    private static final String INSERT_LATENCY = "INSERT INTO latency_summary (run_id, kind, count, mean_ns, p50_ns,"
            + " p90_ns, p99_ns, p999_ns, max_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_WORKLOAD = "INSERT INTO workload_metric (run_id, iterations, iterations_per_sec,"
            + " spin_fraction, steal_fraction) VALUES (?, ?, ?, ?, ?)";

    /**
     * Inserts the result unless its run is already stored.
     *
     * @param r a result that passed {@link ContractChecks#check(RunResult)}
     * @return true if it was stored, false if the run already had a result (nothing was written)
     */
    public boolean insert(Connection c, RunResult r) throws SQLException {
        ModelResult sim = r.result();
        RunParameters p = RunParameters.of(r.scenario(), sim);
        if (!insertRun(c, r, p)) {
            return false;
        }
        insertExits(c, r.runId(), sim);
        insertCounters(c, r.runId(), sim.counters());
        insertLatencies(c, r.runId(), sim);
        try (PreparedStatement ps = c.prepareStatement(INSERT_WORKLOAD)) {
            ModelResult.WorkloadSummary w = sim.workload();
            ps.setString(1, r.runId());
            ps.setLong(2, w.iterations());
            ps.setDouble(3, w.iterationsPerSec());
            ps.setDouble(4, w.spinFraction());
            ps.setDouble(5, w.stealFraction());
            ps.executeUpdate();
        }
        return true;
    }

    private static boolean insertRun(Connection c, RunResult r, RunParameters p) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_RUN)) {
            int i = 0;
            ps.setString(++i, r.runId());
            ps.setString(++i, r.sweepId());
            ps.setInt(++i, r.attempt());
            ps.setLong(++i, r.seed());
            ps.setString(++i, r.modelVersion());
            ps.setString(++i, r.hostSimInstance());
            ps.setInt(++i, p.vms());
            ps.setInt(++i, p.vcpusPerVm());
            ps.setInt(++i, p.pcpus());
            ps.setBigDecimal(++i, p.overcommit());
            ps.setLong(++i, p.ipiWindowNs());
            ps.setBoolean(++i, p.ipiTrackingEnabled());
            ps.setBoolean(++i, p.enableApicv());
            ps.setBoolean(++i, p.enableIpiv());
            ps.setBoolean(++i, p.x2apic());
            ps.setBoolean(++i, p.eevdfLagCredit());
            ps.setBoolean(++i, p.ipiAwareCandidates());
            ps.setBoolean(++i, p.enableRelaxedBoost());
            ps.setString(++i, p.workloadMix());
            ps.setLong(++i, p.durationNs());
            ps.setLong(++i, r.result().measuredNs());
            ps.setLong(++i, r.result().eventsProcessed());
            ps.setLong(++i, r.wallMillis());
            ps.setString(++i, json(r.scenario()));
            ps.setString(
                    ++i,
                    json(
                            r.result().derived() == null
                                    ? Map.of()
                                    : finite(r.result().derived())));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void insertExits(Connection c, String runId, ModelResult sim) throws SQLException {
        if (sim.exits().isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_EXIT)) {
            for (ExitRow e : sim.exits()) {
                ps.setString(1, runId);
                ps.setString(2, e.reason());
                ps.setInt(3, e.vmxCode());
                ps.setLong(4, e.samples());
                ps.setDouble(5, e.samplesPct());
                ps.setDouble(6, e.timePct());
                ps.setLong(7, e.minNs());
                ps.setLong(8, e.maxNs());
                ps.setDouble(9, e.meanNs());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertCounters(Connection c, String runId, Map<String, Long> counters) throws SQLException {
        if (counters.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_COUNTER)) {
            for (Map.Entry<String, Long> e : counters.entrySet()) {
                ps.setString(1, runId);
                ps.setString(2, e.getKey());
                ps.setLong(3, e.getValue() == null ? 0L : e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertLatencies(Connection c, String runId, ModelResult sim) throws SQLException {
        Map<String, LatencySummary> kinds = new LinkedHashMap<>();
        kinds.put("ipi", sim.ipiLatency());
        kinds.put("device", sim.deviceLatency());
        kinds.put("ipi_send_cost", sim.ipiSendCost());
        kinds.put("iteration", sim.workload().iterationLatency());
        try (PreparedStatement ps = c.prepareStatement(INSERT_LATENCY)) {
            for (Map.Entry<String, LatencySummary> e : kinds.entrySet()) {
                LatencySummary l = e.getValue();
                if (l == null) {
                    continue;
                }
                ps.setString(1, runId);
                ps.setString(2, e.getKey());
                ps.setLong(3, l.count());
                ps.setDouble(4, l.meanNs());
                ps.setLong(5, l.p50Ns());
                ps.setLong(6, l.p90Ns());
                ps.setLong(7, l.p99Ns());
                ps.setLong(8, l.p999Ns());
                ps.setLong(9, l.maxNs());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** JSON has no NaN or infinity; such a derived value is left out rather than making the row unstorable. */
    private static Map<String, Double> finite(Map<String, Double> derived) {
        Map<String, Double> out = new LinkedHashMap<>();
        derived.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static String json(Object value) {
        try {
            return ContractJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree read from JSON always serializes", e);
        }
    }
}
