-- results-store schema (architecture §4). Flyway runs this in the schema "store" (quarkus.flyway.schemas), so names
-- below are unqualified. Rows are written only by the store's consumers; every write is idempotent (see the keys).

-- One row per run: the first RunResult stored for a run id wins (INSERT ... ON CONFLICT (run_id) DO NOTHING). Runs
-- are deterministic per (scenario, seed), so a later attempt's result can differ only in attempt, host_sim_instance,
-- wall_millis and received_at. The sweep's parameters are typed columns; the whole resolved scenario is in JSONB.
CREATE TABLE run_result (
    run_id               TEXT             NOT NULL,
    sweep_id             TEXT             NOT NULL,
    attempt              INTEGER          NOT NULL,
    seed                 BIGINT           NOT NULL,
    model_version        TEXT             NOT NULL,
    host_sim_instance    TEXT             NOT NULL,
    vms                  INTEGER          NOT NULL,
    vcpus_per_vm         INTEGER          NOT NULL,
    pcpus                INTEGER          NOT NULL,
    overcommit           NUMERIC(10, 4)   NOT NULL,
    ipi_window_ns        BIGINT           NOT NULL,
    ipi_tracking_enabled BOOLEAN          NOT NULL,
    enable_apicv         BOOLEAN          NOT NULL,
    enable_ipiv          BOOLEAN          NOT NULL,
    x2apic               BOOLEAN          NOT NULL,
    eevdf_lag_credit     BOOLEAN          NOT NULL,
    ipi_aware_candidates BOOLEAN          NOT NULL,
    enable_relaxed_boost BOOLEAN          NOT NULL,
    workload_mix         TEXT             NOT NULL,
    duration_ns          BIGINT           NOT NULL,
    measured_ns          BIGINT           NOT NULL,
    events_processed     BIGINT           NOT NULL,
    wall_millis          BIGINT           NOT NULL,
    scenario             JSONB            NOT NULL,
    derived              JSONB            NOT NULL,
    received_at          TIMESTAMPTZ      NOT NULL DEFAULT now(),
    CONSTRAINT run_result_pk PRIMARY KEY (run_id),
    CONSTRAINT run_result_attempt_positive CHECK (attempt >= 1),
    CONSTRAINT run_result_shape_positive CHECK (vms >= 1 AND vcpus_per_vm >= 1 AND pcpus >= 1 AND overcommit > 0),
    CONSTRAINT run_result_measured_positive CHECK (measured_ns > 0)
);
CREATE INDEX run_result_sweep_idx ON run_result (sweep_id, overcommit, ipi_window_ns, workload_mix);

-- One line of `perf kvm stat report` per exit reason that occurred.
CREATE TABLE exit_stat (
    run_id      TEXT             NOT NULL,
    reason      TEXT             NOT NULL,
    vmx_code    INTEGER          NOT NULL,
    samples     BIGINT           NOT NULL,
    samples_pct DOUBLE PRECISION NOT NULL,
    time_pct    DOUBLE PRECISION NOT NULL,
    min_ns      BIGINT           NOT NULL,
    max_ns      BIGINT           NOT NULL,
    mean_ns     DOUBLE PRECISION NOT NULL,
    CONSTRAINT exit_stat_pk PRIMARY KEY (run_id, reason),
    CONSTRAINT exit_stat_run_fk FOREIGN KEY (run_id) REFERENCES run_result (run_id) ON DELETE CASCADE,
    CONSTRAINT exit_stat_samples_nonnegative CHECK (samples >= 0)
);

-- KVM-named counters (exits, ple_exits, spin_yield_*, ...), all of them, zeros included.
CREATE TABLE kvm_counter (
    run_id TEXT   NOT NULL,
    name   TEXT   NOT NULL,
    value  BIGINT NOT NULL,
    CONSTRAINT kvm_counter_pk PRIMARY KEY (run_id, name),
    CONSTRAINT kvm_counter_run_fk FOREIGN KEY (run_id) REFERENCES run_result (run_id) ON DELETE CASCADE
);

-- Latency distributions (HdrHistogram, 3 significant digits), one row per kind.
CREATE TABLE latency_summary (
    run_id  TEXT             NOT NULL,
    kind    TEXT             NOT NULL,
    count   BIGINT           NOT NULL,
    mean_ns DOUBLE PRECISION NOT NULL,
    p50_ns  BIGINT           NOT NULL,
    p90_ns  BIGINT           NOT NULL,
    p99_ns  BIGINT           NOT NULL,
    p999_ns BIGINT           NOT NULL,
    max_ns  BIGINT           NOT NULL,
    CONSTRAINT latency_summary_pk PRIMARY KEY (run_id, kind),
    CONSTRAINT latency_summary_run_fk FOREIGN KEY (run_id) REFERENCES run_result (run_id) ON DELETE CASCADE,
    CONSTRAINT latency_summary_kind_check CHECK (kind IN ('ipi', 'device', 'ipi_send_cost', 'iteration'))
);

-- The guest workload's throughput and what it cost.
CREATE TABLE workload_metric (
    run_id             TEXT             NOT NULL,
    iterations         BIGINT           NOT NULL,
    iterations_per_sec DOUBLE PRECISION NOT NULL,
    spin_fraction      DOUBLE PRECISION NOT NULL,
    steal_fraction     DOUBLE PRECISION NOT NULL,
    CONSTRAINT workload_metric_pk PRIMARY KEY (run_id),
    CONSTRAINT workload_metric_run_fk FOREIGN KEY (run_id) REFERENCES run_result (run_id) ON DELETE CASCADE
);

-- Every event batch stored, by (run_id, attempt, sequence): a redelivered batch finds its row and is skipped. No
-- foreign key to run_result: a run's events arrive before its result.
CREATE TABLE event_batch (
    run_id      TEXT        NOT NULL,
    attempt     INTEGER     NOT NULL,
    sequence    BIGINT      NOT NULL,
    detail      TEXT        NOT NULL,
    event_count INTEGER     NOT NULL,
    last        BOOLEAN     NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT event_batch_pk PRIMARY KEY (run_id, attempt, sequence),
    CONSTRAINT event_batch_detail_check CHECK (detail IN ('aggregate', 'sampled', 'full')),
    CONSTRAINT event_batch_sequence_nonnegative CHECK (sequence >= 0)
);

-- Raw exit and yield events (detail "full" or "sampled"), written with COPY. idx orders a batch's events by time
-- (exits before yields at equal times). Kept lean for volume: no foreign key (the batch row guards idempotency, and
-- a per-row key check would slow COPY) and no index beyond the primary key.
CREATE TABLE trace_event (
    run_id      TEXT     NOT NULL,
    attempt     INTEGER  NOT NULL,
    sequence    BIGINT   NOT NULL,
    idx         INTEGER  NOT NULL,
    kind        TEXT     NOT NULL,
    time_ns     BIGINT   NOT NULL,
    vm          INTEGER  NOT NULL,
    vcpu        INTEGER  NOT NULL,
    reason      TEXT,
    duration_ns BIGINT,
    target      INTEGER,
    cause       TEXT,
    failure     TEXT,
    CONSTRAINT trace_event_pk PRIMARY KEY (run_id, attempt, sequence, idx),
    CONSTRAINT trace_event_kind_check CHECK (kind IN ('exit', 'yield')),
    CONSTRAINT trace_event_kind_fields CHECK (
        (kind = 'exit' AND reason IS NOT NULL AND duration_ns IS NOT NULL)
        OR (kind = 'yield' AND target IS NOT NULL AND cause IS NOT NULL AND failure IS NOT NULL))
);

-- Two-sided 95 % quantiles of Student's t (t_{0.975, df}). Between tabulated degrees of freedom the next smaller df
-- is used, which widens an interval slightly and never narrows it.
CREATE TABLE t_quantile (
    df   INTEGER       NOT NULL,
    q975 NUMERIC(6, 3) NOT NULL,
    CONSTRAINT t_quantile_pk PRIMARY KEY (df),
    CONSTRAINT t_quantile_df_positive CHECK (df >= 1)
);
INSERT INTO t_quantile (df, q975) VALUES
    (1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (6, 2.447), (7, 2.365), (8, 2.306), (9, 2.262),
    (10, 2.228), (11, 2.201), (12, 2.179), (13, 2.160), (14, 2.145), (15, 2.131), (16, 2.120), (17, 2.110),
    (18, 2.101), (19, 2.093), (20, 2.086), (21, 2.080), (22, 2.074), (23, 2.069), (24, 2.064), (25, 2.060),
    (26, 2.056), (27, 2.052), (28, 2.048), (29, 2.045), (30, 2.042), (40, 2.021), (50, 2.009), (60, 2.000),
    (80, 1.990), (100, 1.984), (120, 1.980), (1000, 1.962);

-- t_{0.975, df}; NULL for df < 1 (a single pair has no interval).
CREATE FUNCTION t_quantile(df_in INTEGER) RETURNS NUMERIC
    LANGUAGE sql STABLE STRICT
    SET search_path FROM CURRENT
    AS $$ SELECT q975 FROM t_quantile WHERE df <= df_in ORDER BY df DESC LIMIT 1 $$;

-- The sweep's question: does the series' IPI tracking help, per overcommit, window and workload? Runs are paired by
-- seed and by every other typed parameter except the series' four switches (so "tracking on" may mean the whole
-- series on); several runs of one arm of a pair are averaged first. gain_pct = 100 * (on - off) / off per pair; the
-- interval is mean +- t_{0.975, n-1} * sd / sqrt(n) over the pairs.
CREATE VIEW v_series_gain AS
WITH arm AS (
    SELECT r.sweep_id, r.overcommit, r.ipi_window_ns, r.workload_mix, r.seed,
           r.vms, r.vcpus_per_vm, r.pcpus, r.enable_apicv, r.enable_ipiv, r.x2apic, r.duration_ns,
           avg(w.iterations_per_sec) FILTER (WHERE r.ipi_tracking_enabled)     AS ips_on,
           avg(w.iterations_per_sec) FILTER (WHERE NOT r.ipi_tracking_enabled) AS ips_off
    FROM run_result r
    JOIN workload_metric w ON w.run_id = r.run_id
    GROUP BY r.sweep_id, r.overcommit, r.ipi_window_ns, r.workload_mix, r.seed,
             r.vms, r.vcpus_per_vm, r.pcpus, r.enable_apicv, r.enable_ipiv, r.x2apic, r.duration_ns
), pair AS (
    SELECT sweep_id, overcommit, ipi_window_ns, workload_mix, ips_on, ips_off,
           100.0 * (ips_on - ips_off) / ips_off AS gain_pct
    FROM arm
    WHERE ips_on IS NOT NULL AND ips_off IS NOT NULL AND ips_off > 0
), series AS (
    SELECT sweep_id, overcommit, ipi_window_ns, workload_mix,
           count(*)::INTEGER     AS n_pairs,
           avg(ips_on)           AS mean_ips_on,
           avg(ips_off)          AS mean_ips_off,
           avg(gain_pct)         AS mean_gain_pct,
           stddev_samp(gain_pct) AS sd_gain_pct
    FROM pair
    GROUP BY sweep_id, overcommit, ipi_window_ns, workload_mix
)
SELECT s.sweep_id, s.overcommit, s.ipi_window_ns, s.workload_mix, s.n_pairs,
       s.mean_ips_on, s.mean_ips_off, s.mean_gain_pct, s.sd_gain_pct,
       s.mean_gain_pct - h.half_width AS ci95_low_pct,
       s.mean_gain_pct + h.half_width AS ci95_high_pct,
       (s.mean_gain_pct - h.half_width > 0 OR s.mean_gain_pct + h.half_width < 0) AS significant
FROM series s
CROSS JOIN LATERAL (
    SELECT (t_quantile(s.n_pairs - 1) * s.sd_gain_pct / sqrt(s.n_pairs))::DOUBLE PRECISION AS half_width
) h;

-- Exit rate per run and reason, the `perf kvm stat` view of a sweep.
CREATE VIEW v_exits_per_second AS
SELECT r.sweep_id, r.run_id, e.reason, e.samples,
       e.samples / (r.measured_ns / 1e9)::DOUBLE PRECISION AS exits_per_sec,
       e.mean_ns, e.time_pct,
       r.overcommit, r.ipi_window_ns, r.ipi_tracking_enabled, r.workload_mix, r.seed
FROM run_result r
JOIN exit_stat e ON e.run_id = r.run_id;

-- kvm_vcpu_on_spin outcomes per run, by which rule picked the boosted vCPU (patches 09 and 10).
CREATE VIEW v_yields_by_cause AS
SELECT r.sweep_id, r.run_id, r.overcommit, r.ipi_window_ns, r.ipi_tracking_enabled, r.workload_mix, r.seed,
       coalesce(c.ple_exits, 0)                    AS ple_exits,
       coalesce(c.spin_yield_attempted, 0)         AS spin_yield_attempted,
       coalesce(c.spin_yield_successful, 0)        AS spin_yield_successful,
       coalesce(c.spin_yield_ipi_receiver, 0)      AS ipi_receiver,
       coalesce(c.spin_yield_pending_interrupt, 0) AS pending_interrupt,
       coalesce(c.spin_yield_plain, 0)             AS plain,
       coalesce(c.spin_yield_relaxed, 0)           AS relaxed,
       coalesce(c.spin_yield_esrch, 0)             AS esrch,
       coalesce(c.ple_exits, 0) / (r.measured_ns / 1e9)::DOUBLE PRECISION AS ple_exits_per_sec
FROM run_result r
LEFT JOIN LATERAL (
    SELECT max(value) FILTER (WHERE name = 'ple_exits')                    AS ple_exits,
           max(value) FILTER (WHERE name = 'spin_yield_attempted')         AS spin_yield_attempted,
           max(value) FILTER (WHERE name = 'spin_yield_successful')        AS spin_yield_successful,
           max(value) FILTER (WHERE name = 'spin_yield_ipi_receiver')      AS spin_yield_ipi_receiver,
           max(value) FILTER (WHERE name = 'spin_yield_pending_interrupt') AS spin_yield_pending_interrupt,
           max(value) FILTER (WHERE name = 'spin_yield_plain')             AS spin_yield_plain,
           max(value) FILTER (WHERE name = 'spin_yield_relaxed')           AS spin_yield_relaxed,
           max(value) FILTER (WHERE name = 'spin_yield_esrch')             AS spin_yield_esrch
    FROM kvm_counter k
    WHERE k.run_id = r.run_id
) c ON TRUE;

-- One row per run: its typed parameters and main metrics (the CSV export of GET /api/sweeps/{id}/runs.csv).
CREATE VIEW v_run_metrics AS
SELECT r.run_id, r.sweep_id, r.attempt, r.seed,
       r.vms, r.vcpus_per_vm, r.pcpus, r.overcommit, r.ipi_window_ns, r.ipi_tracking_enabled,
       r.enable_apicv, r.enable_ipiv, r.x2apic, r.eevdf_lag_credit, r.ipi_aware_candidates, r.enable_relaxed_boost,
       r.workload_mix, r.duration_ns, r.measured_ns,
       w.iterations, w.iterations_per_sec, w.spin_fraction, w.steal_fraction,
       e.exits,
       e.exits / (r.measured_ns / 1e9)::DOUBLE PRECISION AS exits_per_sec,
       y.ple_exits, y.spin_yield_attempted, y.spin_yield_successful,
       y.ipi_receiver, y.pending_interrupt, y.plain, y.relaxed,
       l.mean_ns AS ipi_latency_mean_ns, l.p50_ns AS ipi_latency_p50_ns, l.p99_ns AS ipi_latency_p99_ns,
       r.model_version, r.host_sim_instance, r.wall_millis, r.received_at
FROM run_result r
LEFT JOIN workload_metric w ON w.run_id = r.run_id
LEFT JOIN v_yields_by_cause y ON y.run_id = r.run_id
LEFT JOIN latency_summary l ON l.run_id = r.run_id AND l.kind = 'ipi'
LEFT JOIN LATERAL (
    SELECT coalesce(sum(x.samples), 0)::BIGINT AS exits FROM exit_stat x WHERE x.run_id = r.run_id
) e ON TRUE;

-- The trace of the attempt whose result was stored (a re-dispatched run may have left a partial earlier attempt).
CREATE VIEW v_run_trace AS
SELECT t.*
FROM trace_event t
JOIN run_result r ON r.run_id = t.run_id AND r.attempt = t.attempt;
