-- v_series_gain keyed on the whole directed-yield series (issue 11). V1 compared runs by ipi_tracking_enabled alone:
-- a run with IPI tracking on but, say, the lag credit off counted as "series on", and its throughput was averaged
-- into that arm. The series is four switches, the ones the model names in Series.SWITCHES and the controller's
-- ipi_tracking_enabled axis sets together: ipi_tracking_enabled, eevdf_lag_credit, ipi_aware_candidates and
-- enable_relaxed_boost. "On" is now all four on, "off" all four off; a run with the series only partly on is in
-- neither arm (v_run_metrics still lists it). Pairing is unchanged: by sweep, seed and every other typed parameter.
-- Same columns in the same order, so the view is replaced in place.
CREATE OR REPLACE VIEW v_series_gain AS
WITH arm AS (
    SELECT r.sweep_id, r.overcommit, r.ipi_window_ns, r.workload_mix, r.seed,
           r.vms, r.vcpus_per_vm, r.pcpus, r.enable_apicv, r.enable_ipiv, r.x2apic, r.duration_ns,
           avg(w.iterations_per_sec) FILTER (
               WHERE r.ipi_tracking_enabled AND r.eevdf_lag_credit AND r.ipi_aware_candidates
                     AND r.enable_relaxed_boost)                                             AS ips_on,
           avg(w.iterations_per_sec) FILTER (
               WHERE NOT r.ipi_tracking_enabled AND NOT r.eevdf_lag_credit AND NOT r.ipi_aware_candidates
                     AND NOT r.enable_relaxed_boost)                                         AS ips_off
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
