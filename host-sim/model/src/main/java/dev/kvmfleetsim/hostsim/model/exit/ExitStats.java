package dev.kvmfleetsim.hostsim.model.exit;

import java.util.Arrays;

/**
 * Exit counts and handling times per reason, the data of {@code perf kvm stat report} (samples, total, min, max).
 * Arrays indexed by {@link ExitReason#ordinal()}; recording allocates nothing. Not thread-safe.
 */
public final class ExitStats {
    private final long[] samples = new long[ExitReason.count()];
    private final long[] totalNs = new long[ExitReason.count()];
    private final long[] minNs = new long[ExitReason.count()];
    private final long[] maxNs = new long[ExitReason.count()];

    public ExitStats() {
        Arrays.fill(minNs, Long.MAX_VALUE);
    }

    /** Records one exit of the given reason that kept the vCPU out of the guest for {@code durationNs}. */
    public void record(ExitReason reason, long durationNs) {
        int i = reason.ordinal();
        samples[i]++;
        totalNs[i] += durationNs;
        if (durationNs < minNs[i]) {
            minNs[i] = durationNs;
        }
        if (durationNs > maxNs[i]) {
            maxNs[i] = durationNs;
        }
    }

    /** Adds another set of statistics into this one. */
    public void add(ExitStats other) {
        for (int i = 0; i < samples.length; i++) {
            samples[i] += other.samples[i];
            totalNs[i] += other.totalNs[i];
            minNs[i] = Math.min(minNs[i], other.minNs[i]);
            maxNs[i] = Math.max(maxNs[i], other.maxNs[i]);
        }
    }

    public long samples(ExitReason r) {
        return samples[r.ordinal()];
    }

    public long totalNs(ExitReason r) {
        return totalNs[r.ordinal()];
    }

    /** Shortest exit of this reason, or 0 if there was none. */
    public long minNs(ExitReason r) {
        return samples[r.ordinal()] == 0 ? 0 : minNs[r.ordinal()];
    }

    public long maxNs(ExitReason r) {
        return maxNs[r.ordinal()];
    }

    public double meanNs(ExitReason r) {
        long n = samples[r.ordinal()];
        return n == 0 ? 0.0 : (double) totalNs[r.ordinal()] / n;
    }

    /** All exits of all reasons. */
    public long totalSamples() {
        long s = 0;
        for (long x : samples) {
            s += x;
        }
        return s;
    }

    /** Time out of the guest for all reasons. */
    public long totalTimeNs() {
        long s = 0;
        for (long x : totalNs) {
            s += x;
        }
        return s;
    }
}
