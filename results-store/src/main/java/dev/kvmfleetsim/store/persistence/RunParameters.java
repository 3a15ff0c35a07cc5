package dev.kvmfleetsim.store.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kvmfleetsim.contract.ModelResult;
import dev.kvmfleetsim.contract.UnreadableMessageException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * The sweep parameters of one run as typed columns of {@code run_result}. The shape (VMs, vCPUs, pCPUs) and the
 * workload mix come from the model's result; the switches come from the scenario as run, which the contract carries
 * with every default filled in ({@link dev.kvmfleetsim.contract.RunResult#scenario()}): a field missing there makes the
 * message unreadable rather than guessed, since the store does not know the model's defaults.
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
     * @throws UnreadableMessageException if a field is missing, has the wrong JSON type, or the shape is not positive
     */
    public static RunParameters of(JsonNode scenario, ModelResult result) {
        if (result.vms() < 1 || result.vcpusPerVm() < 1 || result.pcpus() < 1) {
            throw new UnreadableMessageException(
                    "result: vms, vcpus_per_vm and pcpus must be positive, were " + result.vms() + ", "
                            + result.vcpusPerVm() + ", " + result.pcpus(),
                    null);
        }
        BigDecimal overcommit = BigDecimal.valueOf((long) result.vms() * result.vcpusPerVm())
                .divide(BigDecimal.valueOf(result.pcpus()), 4, RoundingMode.HALF_UP);
        String mix = result.workload() != null ? result.workload().mix() : text(scenario, "workload", "mix");
        return new RunParameters(
                result.vms(),
                result.vcpusPerVm(),
                result.pcpus(),
                overcommit,
                integer(scenario, "kvm", "ipi_window_ns"),
                bool(scenario, "kvm", "ipi_tracking_enabled"),
                bool(scenario, "kvm", "enable_apicv"),
                bool(scenario, "kvm", "enable_ipiv"),
                bool(scenario, "kvm", "x2apic"),
                bool(scenario, "sched", "eevdf_lag_credit"),
                bool(scenario, "directed_yield", "ipi_aware_candidates"),
                bool(scenario, "directed_yield", "enable_relaxed_boost"),
                mix.toLowerCase(Locale.ROOT),
                integer(scenario, null, "duration_ns"));
    }

    private static JsonNode field(JsonNode scenario, String group, String name) {
        JsonNode parent = group == null ? scenario : scenario.path(group);
        JsonNode value = parent.path(name);
        if (value.isMissingNode() || value.isNull()) {
            throw new UnreadableMessageException(
                    path(group, name) + ": missing (a result carries the scenario as run, every default filled in)",
                    null);
        }
        return value;
    }

    private static String path(String group, String name) {
        return "scenario." + (group == null ? "" : group + ".") + name;
    }

    private static boolean bool(JsonNode scenario, String group, String name) {
        JsonNode v = field(scenario, group, name);
        if (!v.isBoolean()) {
            throw new UnreadableMessageException(path(group, name) + ": must be true or false, was " + v, null);
        }
        return v.booleanValue();
    }

    private static long integer(JsonNode scenario, String group, String name) {
        JsonNode v = field(scenario, group, name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new UnreadableMessageException(path(group, name) + ": must be an integer, was " + v, null);
        }
        return v.longValue();
    }

    private static String text(JsonNode scenario, String group, String name) {
        return field(scenario, group, name).asText();
    }
}
