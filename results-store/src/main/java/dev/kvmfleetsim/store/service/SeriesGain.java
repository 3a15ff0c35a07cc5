package dev.kvmfleetsim.store.service;

import java.math.BigDecimal;

/**
 * One row of the view {@code v_series_gain}: the whole directed-yield series on (all four switches) versus off (none)
 * for one (overcommit, window, workload) of a sweep. Gains in percent of the "off" throughput; the interval is Student's t at 95 % (null for a single pair).
 */
public record SeriesGain(
        String sweepId,
        BigDecimal overcommit,
        long ipiWindowNs,
        String workloadMix,
        int nPairs,
        double meanIpsOn,
        double meanIpsOff,
        double meanGainPct,
        Double sdGainPct,
        Double ci95LowPct,
        Double ci95HighPct,
        Boolean significant) {}
