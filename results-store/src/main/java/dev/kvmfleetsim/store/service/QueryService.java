package dev.kvmfleetsim.store.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.store.persistence.RunEntity;
import dev.kvmfleetsim.store.persistence.RunParameters;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Reads for the REST API: a run with Panache, the analysis views with plain SQL. Thread-safe. */
@ApplicationScoped
public class QueryService {
    private static final String SERIES_GAIN = "SELECT sweep_id, overcommit, ipi_window_ns, workload_mix, n_pairs,"
            + " mean_ips_on, mean_ips_off, mean_gain_pct, sd_gain_pct, ci95_low_pct, ci95_high_pct, significant"
            + " FROM v_series_gain WHERE sweep_id = ? ORDER BY workload_mix, overcommit, ipi_window_ns";
    private static final String RUN_METRICS = "SELECT * FROM v_run_metrics WHERE sweep_id = ? ORDER BY run_id";

    private final AgroalDataSource dataSource;

    QueryService(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Whether any run of the sweep is stored. */
    @Transactional
    public boolean sweepExists(String sweepId) {
        return RunEntity.sweepExists(sweepId);
    }

    /** A stored run with everything measured, if the run has a result. */
    @Transactional
    public Optional<RunDetail> run(String runId) {
        return RunEntity.<RunEntity>findByIdOptional(runId).map(QueryService::detail);
    }

    /** The rows of {@code v_series_gain} for one sweep (empty if no run of it has a partner yet). */
    public List<SeriesGain> seriesGain(String sweepId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(SERIES_GAIN)) {
            ps.setString(1, sweepId);
            List<SeriesGain> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new SeriesGain(
                            rs.getString("sweep_id"),
                            rs.getBigDecimal("overcommit"),
                            rs.getLong("ipi_window_ns"),
                            rs.getString("workload_mix"),
                            rs.getInt("n_pairs"),
                            rs.getDouble("mean_ips_on"),
                            rs.getDouble("mean_ips_off"),
                            rs.getDouble("mean_gain_pct"),
                            rs.getObject("sd_gain_pct", Double.class),
                            rs.getObject("ci95_low_pct", Double.class),
                            rs.getObject("ci95_high_pct", Double.class),
                            rs.getObject("significant", Boolean.class)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read v_series_gain: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the sweep's runs as CSV (RFC 4180: comma-separated, CRLF, quoted when needed), a header row first, one
     * row per run from {@code v_run_metrics}; empty cells are NULLs.
     */
    public void writeRunsCsv(String sweepId, Writer out) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(RUN_METRICS)) {
            ps.setString(1, sweepId);
            ps.setFetchSize(500);
            c.setAutoCommit(false); // lets the driver stream with the fetch size
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                int n = md.getColumnCount();
                for (int i = 1; i <= n; i++) {
                    cell(out, i, md.getColumnLabel(i));
                }
                out.write("\r\n");
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        cell(out, i, text(rs, md, i));
                    }
                    out.write("\r\n");
                }
            } finally {
                c.rollback();
            }
            out.flush();
        } catch (SQLException e) {
            throw new IllegalStateException("could not read v_run_metrics: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
        int type = md.getColumnType(i);
        if (type == Types.BOOLEAN || type == Types.BIT) {
            boolean b = rs.getBoolean(i);
            return rs.wasNull() ? null : Boolean.toString(b);
        }
        return rs.getString(i);
    }

    private static void cell(Writer out, int column, String value) throws IOException {
        if (column > 1) {
            out.write(',');
        }
        if (value == null) {
            return;
        }
        if (value.indexOf(',') >= 0
                || value.indexOf('"') >= 0
                || value.indexOf('\n') >= 0
                || value.indexOf('\r') >= 0) {
            out.write('"');
            out.write(value.replace("\"", "\"\""));
            out.write('"');
        } else {
            out.write(value);
        }
    }

    private static RunDetail detail(RunEntity r) {
        List<RunDetail.Exit> exits = r.exits.stream()
                .map(e -> new RunDetail.Exit(
                        e.reason, e.vmxCode, e.samples, e.samplesPct, e.timePct, e.minNs, e.maxNs, e.meanNs))
                .toList();
        Map<String, RunDetail.Latency> latencies = r.latencies.entrySet().stream()
                .collect(Collectors.toMap(
                        Map.Entry::getKey,
                        e -> {
                            var l = e.getValue();
                            return new RunDetail.Latency(
                                    l.count, l.meanNs, l.p50Ns, l.p90Ns, l.p99Ns, l.p999Ns, l.maxNs);
                        },
                        (a, b) -> a,
                        TreeMap::new));
        RunDetail.Workload workload = r.iterations == null
                ? null
                : new RunDetail.Workload(r.iterations, r.iterationsPerSec, r.spinFraction, r.stealFraction);
        return new RunDetail(
                r.runId,
                r.sweepId,
                r.attempt,
                r.seed,
                r.modelVersion,
                r.hostSimInstance,
                new RunParameters(
                        r.vms,
                        r.vcpusPerVm,
                        r.pcpus,
                        r.overcommit,
                        r.ipiWindowNs,
                        r.ipiTrackingEnabled,
                        r.enableApicv,
                        r.enableIpiv,
                        r.x2apic,
                        r.eevdfLagCredit,
                        r.ipiAwareCandidates,
                        r.enableRelaxedBoost,
                        r.workloadMix,
                        r.durationNs),
                r.measuredNs,
                r.eventsProcessed,
                r.wallMillis,
                r.receivedAt,
                exits,
                new TreeMap<>(r.counters),
                latencies,
                workload,
                json(r.derived),
                json(r.scenario));
    }

    private static JsonNode json(String text) {
        try {
            return ContractJson.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the database returned invalid JSON", e);
        }
    }
}
