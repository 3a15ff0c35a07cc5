package dev.kvmfleetsim.store.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.contract.UnreadableMessageException;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * The sweep parameters of one run as typed columns of {@code run_result}. The shape (VMs, vCPUs, pCPUs) and the
 * workload mix come from the model's result; the switches come from the resolved scenario, and a field the scenario
 * leaves out takes the model's default ({@link Scenario#defaults()}), exactly as the model would have.
 *
 * @param overcommit vCPUs per pCPU, rounded to 4 decimals (the column's scale), so equal grid points group together
 */
public record RunParameters(
        int vms,
        int vcpusPerVm,
        int pcpus,
        BigDecimal overcommit,
        long ipiWindowNs,
        boolean ipiTrackingEnabled,
        boolean enableApicv,
        boolean enableIpiv,
        boolean x2apic,
        boolean eevdfLagCredit,
        boolean ipiAwareCandidates,
        boolean enableRelaxedBoost,
        String workloadMix,
        long durationNs) {

    /**
     * Extracts the parameters.
     *
     * @throws UnreadableMessageException if a field has the wrong JSON type or the shape is not positive
     */
    public static RunParameters of(JsonNode scenario, SimulationResult result) {
        Scenario d = Scenario.defaults();
        if (result.vms() < 1 || result.vcpusPerVm() < 1 || result.pcpus() < 1) {
            throw new UnreadableMessageException(
                    "result: vms, vcpus_per_vm and pcpus must be positive, were " + result.vms() + ", "
                            + result.vcpusPerVm() + ", " + result.pcpus(),
                    null);
        }
        BigDecimal overcommit = BigDecimal.valueOf((long) result.vms() * result.vcpusPerVm())
                .divide(BigDecimal.valueOf(result.pcpus()), 4, RoundingMode.HALF_UP);
        String mix = result.workload() != null ? result.workload().mix() : text(scenario, "workload", "mix", "none");
        return new RunParameters(
                result.vms(),
                result.vcpusPerVm(),
                result.pcpus(),
                overcommit,
                integer(scenario, "kvm", "ipi_window_ns", d.kvm().ipiWindowNs()),
                bool(scenario, "kvm", "ipi_tracking_enabled", d.kvm().ipiTrackingEnabled()),
                bool(scenario, "kvm", "enable_apicv", d.kvm().enableApicv()),
                bool(scenario, "kvm", "enable_ipiv", d.kvm().enableIpiv()),
                bool(scenario, "kvm", "x2apic", d.kvm().x2apic()),
                bool(scenario, "sched", "eevdf_lag_credit", d.sched().eevdfLagCredit()),
                bool(
                        scenario,
                        "directed_yield",
                        "ipi_aware_candidates",
                        d.directedYield().ipiAwareCandidates()),
                bool(
                        scenario,
                        "directed_yield",
                        "enable_relaxed_boost",
                        d.directedYield().enableRelaxedBoost()),
                mix.toLowerCase(Locale.ROOT),
                integer(scenario, null, "duration_ns", d.durationNs()));
    }

    private static JsonNode field(JsonNode scenario, String group, String name) {
        JsonNode parent = group == null ? scenario : scenario.path(group);
        JsonNode value = parent.path(name);
        return value.isMissingNode() || value.isNull() ? null : value;
    }

    private static String path(String group, String name) {
        return "scenario." + (group == null ? "" : group + ".") + name;
    }

    private static boolean bool(JsonNode scenario, String group, String name, boolean dflt) {
        JsonNode v = field(scenario, group, name);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new UnreadableMessageException(path(group, name) + ": must be true or false, was " + v, null);
        }
        return v.booleanValue();
    }

    private static long integer(JsonNode scenario, String group, String name, long dflt) {
        JsonNode v = field(scenario, group, name);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new UnreadableMessageException(path(group, name) + ": must be an integer, was " + v, null);
        }
        return v.longValue();
    }

    private static String text(JsonNode scenario, String group, String name, String dflt) {
        JsonNode v = field(scenario, group, name);
        return v == null ? dflt : v.asText();
    }
}
