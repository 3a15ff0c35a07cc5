package dev.kvmfleetsim.hostsim.cli;

import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.SimulationResult.ExitRow;
import dev.kvmfleetsim.hostsim.model.SimulationResult.LatencySummary;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link SimulationResult} as text in the layout of {@code perf kvm stat report}, then the counters. */
public final class PerfKvmStatReport {
    private PerfKvmStatReport() {}

    public static String render(SimulationResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "Scenario %s, seed %d: %d VM(s) x %d vCPUs on %d pCPUs, %.3f ms measured%n%n",
                r.scenario(),
                r.seed(),
                r.vms(),
                r.vcpusPerVm(),
                r.pcpus(),
                r.measuredNs() / 1e6));
        sb.append("Analyze events for all VMs, all VCPUs:\n\n");
        sb.append(String.format(
                Locale.ROOT,
                "%20s %10s %9s %9s %11s %11s %11s%n%n",
                "VM-EXIT",
                "Samples",
                "Samples%",
                "Time%",
                "Min Time",
                "Max Time",
                "Avg time"));
        long total = 0;
        for (ExitRow row : r.exits()) {
            total += row.samples();
            sb.append(String.format(
                    Locale.ROOT,
                    "%20s %10d %8.2f%% %8.2f%% %9.2fus %9.2fus %9.2fus%n",
                    row.reason(),
                    row.samples(),
                    row.samplesPct(),
                    row.timePct(),
                    row.minNs() / 1e3,
                    row.maxNs() / 1e3,
                    row.meanNs() / 1e3));
        }
        double perSec = r.measuredNs() == 0 ? 0 : total * 1e9 / r.measuredNs();
        sb.append(String.format(Locale.ROOT, "%nTotal Samples:%d, Total exits/s:%.0f%n%n", total, perSec));
        sb.append("KVM statistics:\n");
        for (Map.Entry<String, Long> c : r.counters().entrySet()) {
            if (c.getValue() != 0) {
                sb.append(String.format(Locale.ROOT, "  %-28s %12d%n", c.getKey(), c.getValue()));
            }
        }
        sb.append('\n');
        latency(sb, "IPI latency (ICR write -> handler)", r.ipiLatency());
        latency(sb, "Device interrupt latency", r.deviceLatency());
        latency(sb, "IPI send cost (sender)", r.ipiSendCost());
        SimulationResult.WorkloadSummary w = r.workload();
        if (w.iterations() > 0 || w.stealFraction() > 0) {
            sb.append(String.format(
                    Locale.ROOT,
                    "Workload %s: %d iterations, %.1f/s; spin %.2f%% and steal %.2f%% of vCPU time%n",
                    w.mix(),
                    w.iterations(),
                    w.iterationsPerSec(),
                    100 * w.spinFraction(),
                    100 * w.stealFraction()));
            latency(sb, "Iteration latency", w.iterationLatency());
        }
        if (!r.derived().isEmpty()) {
            sb.append("Derived:\n");
            r.derived().forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-28s %12.2f%n", k, v)));
        }
        return sb.toString();
    }

    private static void latency(StringBuilder sb, String title, LatencySummary l) {
        if (l.count() == 0) {
            return;
        }
        sb.append(String.format(
                Locale.ROOT,
                "%s: n=%d mean=%.2fus p50=%.2fus p90=%.2fus p99=%.2fus p99.9=%.2fus max=%.2fus%n",
                title,
                l.count(),
                l.meanNs() / 1e3,
                l.p50Ns() / 1e3,
                l.p90Ns() / 1e3,
                l.p99Ns() / 1e3,
                l.p999Ns() / 1e3,
                l.maxNs() / 1e3));
    }
}
