package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.SimulationResult.ExitRow;
import dev.kvmfleetsim.hostsim.model.SimulationResult.LatencySummary;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.exit.ExitStats;
import dev.kvmfleetsim.hostsim.model.scenario.ExitCosts;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;
import dev.kvmfleetsim.hostsim.model.yield.BoostCause;
import dev.kvmfleetsim.hostsim.model.yield.YieldTargetState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Turns a finished {@link HostSimulation} into its {@link SimulationResult}. */
final class ResultAssembler {
    private ResultAssembler() {}

    /** Builds the result of a simulation that has run. */
    static SimulationResult assemble(HostContext ctx, Vm[] vms, int vcpus) {
        Scenario sc = ctx.scenario;
        HostStats stats = ctx.stats;
        ExitStats all = new ExitStats();
        long[] counters = new long[KvmStat.count()];
        for (Vm vm : vms) {
            all.add(vm.exitStats);
            for (int i = 0; i < counters.length; i++) {
                counters[i] += vm.counters[i];
            }
        }
        return new SimulationResult(
                sc.name(),
                sc.seed(),
                sc.durationNs() - sc.warmupNs(),
                sc.vms().count(),
                sc.vms().vcpus(),
                sc.host().pcpus(),
                exitRows(all),
                counterMap(counters),
                summary(stats.ipiLatency),
                summary(stats.deviceLatency),
                summary(stats.ipiSendCost),
                derived(sc),
                workload(sc, stats, vcpus, counters[KvmStat.WORKLOAD_ITERATIONS.ordinal()]),
                stats.eventsProcessed,
                vcpuDetails(vms),
                summary(stats.pleWindow),
                summary(stats.haltPollWindow),
                yields(stats));
    }

    private static List<SimulationResult.VcpuDetail> vcpuDetails(Vm[] vms) {
        List<SimulationResult.VcpuDetail> out = new ArrayList<>();
        for (Vm vm : vms) {
            for (Vcpu v : vm.vcpus) {
                Map<String, Long> exits = new LinkedHashMap<>();
                for (ExitReason r : ExitReason.values()) {
                    if (v.exitCounts[r.ordinal()] > 0) {
                        exits.put(r.name(), v.exitCounts[r.ordinal()]);
                    }
                }
                out.add(new SimulationResult.VcpuDetail(
                        vm.index,
                        v.index,
                        v.pcpu,
                        java.util.Collections.unmodifiableMap(exits),
                        v.ple.windowCycles(),
                        v.haltPoll.pollWindowNs()));
            }
        }
        return List.copyOf(out);
    }

    private static Map<String, Long> yields(HostStats stats) {
        Map<String, Long> m = new LinkedHashMap<>();
        YieldTargetState[] states = YieldTargetState.values();
        for (BoostCause c : BoostCause.values()) {
            for (YieldTargetState s : states) {
                long n = stats.yields[c.ordinal() * states.length + s.ordinal()];
                if (n > 0) {
                    m.put(
                            c.name().toLowerCase(java.util.Locale.ROOT) + ":"
                                    + s.name().toLowerCase(java.util.Locale.ROOT),
                            n);
                }
            }
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    private static SimulationResult.WorkloadSummary workload(Scenario sc, HostStats stats, int vcpus, long iterations) {
        double measured = sc.durationNs() - sc.warmupNs();
        double vcpuTime = measured * vcpus;
        return new SimulationResult.WorkloadSummary(
                sc.workload().mix().name().toLowerCase(java.util.Locale.ROOT),
                iterations,
                iterations * 1e9 / measured,
                summary(stats.iterationLatency),
                stats.spinNs() / vcpuTime,
                stats.stealTotalNs / vcpuTime);
    }

    /** The rows of {@code perf kvm stat report}: reasons that occurred, most samples first, then by VMX code. */
    static List<ExitRow> exitRows(ExitStats s) {
        long samples = s.totalSamples();
        long time = s.totalTimeNs();
        List<ExitRow> rows = new ArrayList<>();
        for (ExitReason r : ExitReason.values()) {
            long n = s.samples(r);
            if (n == 0) {
                continue;
            }
            rows.add(new ExitRow(
                    r.name(),
                    r.vmxCode(),
                    n,
                    100.0 * n / samples,
                    time == 0 ? 0.0 : 100.0 * s.totalNs(r) / time,
                    s.minNs(r),
                    s.maxNs(r),
                    s.meanNs(r)));
        }
        rows.sort(Comparator.comparingLong(ExitRow::samples).reversed().thenComparingInt(ExitRow::vmxCode));
        return List.copyOf(rows);
    }

    private static Map<String, Long> counterMap(long[] counters) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < counters.length; i++) {
            m.put(KvmStat.ofOrdinal(i).statName(), counters[i]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    static LatencySummary summary(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new LatencySummary(0, 0.0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(
                h.getTotalCount(),
                h.getMean(),
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(90),
                h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9),
                h.getMaxValue());
    }

    /**
     * Quantities derived from the parameters. {@code pv_ipi_crossover_targets}: the multicast size above which one
     * PV send-IPI hypercall is cheaper for the sender than N IPIv-virtualized writes, N* = (c_vmcall - c_deliver) /
     * (c_ipiv - c_deliver) (kvm-model §7.4); absent when IPIv is always cheaper.
     */
    static Map<String, Double> derived(Scenario sc) {
        ExitCosts c = sc.costs();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("overcommit", sc.overcommit());
        double perTargetGap = c.ipivSendNs() - c.kvmDeliverPerTargetNs();
        if (perTargetGap > 0) {
            m.put("pv_ipi_crossover_targets", (c.vmcall().meanNs() - c.kvmDeliverPerTargetNs()) / perTargetGap);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
