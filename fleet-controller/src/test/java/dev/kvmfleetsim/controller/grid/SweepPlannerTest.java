package dev.kvmfleetsim.controller.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvmfleetsim.contract.Problem.FieldError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Grid expansion and request validation, without a framework. */
class SweepPlannerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SweepPlanner planner = new SweepPlanner(10_000, 5);

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode scenario(SweepPlan.Point p) {
        return json(p.scenario());
    }

    private List<FieldError> errorsOf(String request) {
        try {
            planner.plan(json(request));
        } catch (InvalidSweepException e) {
            return e.errors();
        }
        throw new AssertionError("expected an invalid sweep: " + request);
    }

    private static List<String> fields(List<FieldError> errors) {
        return errors.stream().map(FieldError::field).toList();
    }

    @Test
    void expandsTheCartesianProductInTheAxesOrderWithSeedsPairedByRepetition() {
        SweepPlan plan = planner.plan(json("{'base_scenario': {}, 'seed': 7, 'repetitions': 2,"
                + " 'grid': {'ipi_tracking_enabled': [true, false], 'ipi_window_ns': [1000000, 50000000]}}"));

        assertThat(plan.gridPoints()).isEqualTo(4);
        assertThat(plan.runCount()).isEqualTo(8);
        assertThat(plan.points())
                .extracting(p -> p.parameters().toString())
                .containsExactly(
                        "{\"ipi_tracking_enabled\":true,\"ipi_window_ns\":1000000}",
                        "{\"ipi_tracking_enabled\":true,\"ipi_window_ns\":50000000}",
                        "{\"ipi_tracking_enabled\":false,\"ipi_window_ns\":1000000}",
                        "{\"ipi_tracking_enabled\":false,\"ipi_window_ns\":50000000}");
        JsonNode off = scenario(plan.points().get(2));
        assertThat(off.at("/kvm/ipi_tracking_enabled").booleanValue()).isFalse();
        assertThat(off.at("/sched/eevdf_lag_credit").booleanValue()).isFalse();
        assertThat(off.at("/directed_yield/ipi_aware_candidates").booleanValue())
                .isFalse();
        assertThat(off.at("/directed_yield/enable_relaxed_boost").booleanValue())
                .isFalse();
        assertThat(off.at("/kvm/ipi_window_ns").longValue()).isEqualTo(1_000_000L);
        assertThat(scenario(plan.points().get(1)).at("/sched/eevdf_lag_credit").booleanValue())
                .isTrue();

        List<SweepPlan.PlannedRun> runs = new ArrayList<>();
        plan.forEachRun(runs::add);
        assertThat(runs).hasSize(8);
        assertThat(runs).extracting(r -> r.repetition()).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
        assertThat(runs.subList(0, 4)).extracting(SweepPlan.PlannedRun::seed).containsOnly(RepetitionSeeds.of(7, 0));
        assertThat(runs.subList(4, 8)).extracting(SweepPlan.PlannedRun::seed).containsOnly(RepetitionSeeds.of(7, 1));
        assertThat(RepetitionSeeds.of(7, 0)).isNotEqualTo(RepetitionSeeds.of(7, 1));
    }

    @Test
    void repetitionSeedsAreSplitMix64OfTheSweepSeed() {
        SplittableRandom reference = new SplittableRandom(42);
        for (int r = 0; r < 5; r++) {
            assertThat(RepetitionSeeds.of(42, r)).isEqualTo(reference.nextLong());
        }
    }

    @Test
    void expansionIsDeterministic() {
        String request = "{'base_scenario': {'workload': {'mix': 'dedup_like'}}, 'repetitions': 3,"
                + " 'grid': {'overcommit': [1, 2], 'kvm.ipi_window_ns': [1000000, 2000000]}}";
        SweepPlan a = planner.plan(json(request));
        SweepPlan b = planner.plan(json(request));
        assertThat(a.points()).isEqualTo(b.points());
    }

    @Test
    void keepsTheGridsFieldOrder() {
        SweepPlan plan = planner.plan(json("{'base_scenario': {},"
                + " 'grid': {'workload.mix': ['vips_like', 'dedup_like'], 'host.pcpus': [8, 4]}}"));
        assertThat(plan.axes()).extracting(Axis.Values::axis).containsExactly("workload.mix", "host.pcpus");
        assertThat(plan.points())
                .extracting(p -> p.parameters().toString())
                .containsExactly(
                        "{\"workload.mix\":\"vips_like\",\"host.pcpus\":8}",
                        "{\"workload.mix\":\"vips_like\",\"host.pcpus\":4}",
                        "{\"workload.mix\":\"dedup_like\",\"host.pcpus\":8}",
                        "{\"workload.mix\":\"dedup_like\",\"host.pcpus\":4}");
        assertThat(scenario(plan.points().get(3)).at("/workload/mix").asText()).isEqualTo("dedup_like");
        assertThat(scenario(plan.points().get(3)).at("/host/pcpus").intValue()).isEqualTo(4);
    }

    @Test
    void overcommitDerivesTheVmCountFromThePointsPcpusAndVcpus() {
        SweepPlan plan = planner.plan(json("{'base_scenario': {'host': {'pcpus': 16}, 'vms': {'vcpus': 8}},"
                + " 'grid': {'overcommit': [0.1, 1, 2.5, 4], 'host.pcpus': [16, 4]}}"));
        // With 4 pCPUs, overcommit 0.1, 1 and 2.5 all give one VM: points 3 and 5 are point 1's run.
        assertThat(plan.points()).extracting(SweepPlan.Point::sameAs).containsExactly(-1, -1, -1, 1, -1, 1, -1, -1);
        assertThat(plan.points())
                .extracting(p -> scenario(p.sameAs() < 0 ? p : plan.points().get(p.sameAs()))
                        .at("/vms/count")
                        .intValue())
                .containsExactly(1, 1, 2, 1, 5, 1, 8, 2);
    }

    @Test
    void identicalConfigurationsAreRunOncePerRepetition() {
        // 16 pCPUs, 16 vCPUs per VM: overcommit 1 and 1.2 both give one VM.
        SweepPlan plan = planner.plan(json("{'base_scenario': {'host': {'pcpus': 16}, 'vms': {'vcpus': 16}},"
                + " 'repetitions': 2, 'grid': {'overcommit': [1, 1.2, 2], 'ipi_window_ns': [1000000, 50000000]}}"));
        assertThat(plan.gridPoints()).isEqualTo(6);
        assertThat(plan.runCount()).isEqualTo(8);
        assertThat(plan.points()).extracting(SweepPlan.Point::sameAs).containsExactly(-1, -1, 0, 1, -1, -1);
        List<SweepPlan.PlannedRun> runs = new ArrayList<>();
        plan.forEachRun(runs::add);
        assertThat(runs).hasSize(8);
        assertThat(runs.get(0).duplicates()).containsExactly(2);
        assertThat(runs.get(2).point().index()).isEqualTo(4);
    }

    @Test
    void listElementsAndWholeObjectsAreAxesToo() {
        SweepPlan plan = planner.plan(json("{'base_scenario': {'ipis': [{'pattern': 'unicast'}]},"
                + " 'grid': {'ipis[0].rate_per_sec': [1000, 20000], 'costs.hlt': [{'min_ns': 400, 'mean_ns': 800}]}}"));
        assertThat(plan.points())
                .extracting(p -> scenario(p).at("/ipis/0/rate_per_sec").intValue())
                .containsExactly(1000, 20000);
        assertThat(scenario(plan.points().get(0)).at("/costs/hlt/mean_ns").intValue())
                .isEqualTo(800);
    }

    @Test
    void reportsEveryProblemOfARequestAtOnce() {
        List<FieldError> errors = errorsOf("{'base_scenario': {'kvm': {'enable_apcv': true}}, 'repetitions': 0,"
                + " 'detail': 'verbose', 'colour': 'blue',"
                + " 'grid': {'kvm.ipi_windw_ns': [1], 'ipi_window_ns': [], 'ipi_tracking_enabled': ['yes', true],"
                + " 'overcommit': [0], 'seed': [1, 2], 'ipis[0].rate_per_sec': 5}}");
        assertThat(fields(errors))
                .containsExactlyInAnyOrder(
                        "colour",
                        "base_scenario.kvm.enable_apcv",
                        "repetitions",
                        "detail",
                        "grid.kvm.ipi_windw_ns",
                        "grid.ipi_window_ns",
                        "grid.ipi_tracking_enabled[0]",
                        "grid.overcommit[0]",
                        "grid.seed",
                        "grid.ipis[0].rate_per_sec");
        assertThat(errors)
                .filteredOn(e -> e.field().equals("grid.kvm.ipi_windw_ns"))
                .singleElement()
                .extracting(FieldError::reason)
                .asString()
                .contains("unknown scenario parameter", "did you mean kvm.ipi_window_ns?");
        assertThat(errors)
                .filteredOn(e -> e.field().equals("grid.ipi_window_ns"))
                .singleElement()
                .extracting(FieldError::reason)
                .isEqualTo("must list at least one value");
    }

    @Test
    void checksValueTypesAgainstTheScenarioFormat() {
        List<FieldError> errors = errorsOf("{'base_scenario': {},"
                + " 'grid': {'kvm.ipi_window_ns': [1000, '0x10', 1.5, null], 'workload.mix': [3],"
                + " 'sched.lag_credit_k': [0.5, 1], 'host': [{'pcpus': 4}], 'ipis': [[{}], {}], 'vms.vcpus': [true]}}");
        assertThat(fields(errors))
                .containsExactlyInAnyOrder(
                        "grid.kvm.ipi_window_ns[2]",
                        "grid.kvm.ipi_window_ns[3]",
                        "grid.workload.mix[0]",
                        "grid.ipis[1]",
                        "grid.vms.vcpus[0]");
        assertThat(errors.get(0).reason()).startsWith("must be an integer");
    }

    @Test
    void refusesAxesThatSetTheSameParameter() {
        List<FieldError> errors = errorsOf("{'base_scenario': {}, 'grid': {'ipi_window_ns': [1], 'kvm.ipi_window_ns':"
                + " [2], 'kvm': [{}], 'ipi_tracking_enabled': [true], 'sched.eevdf_lag_credit': [false],"
                + " 'overcommit': [1], 'vms.count': [2]}}");
        assertThat(fields(errors))
                .containsExactly("grid.kvm.ipi_window_ns", "grid.kvm", "grid.sched.eevdf_lag_credit", "grid.vms.count");
    }

    @Test
    void aListElementMustExistInTheBaseScenario() {
        List<FieldError> errors = errorsOf("{'base_scenario': {'ipis': [{}]}, 'grid': {'ipis[1].rate_per_sec': [1]}}");
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("grid.ipis[1].rate_per_sec");
            assertThat(e.reason()).contains("ipis has 1 element(s)");
        });
    }

    @Test
    void refusesAGridAboveTheLimitWithItsSize() {
        StringBuilder windows = new StringBuilder();
        StringBuilder overcommits = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            windows.append(i == 0 ? "" : ",").append(1_000_000 + i);
            overcommits.append(i == 0 ? "" : ",").append(1 + i / 10.0);
        }
        List<FieldError> errors = errorsOf("{'base_scenario': {}, 'repetitions': 2, 'grid': {'ipi_window_ns': ["
                + windows + "], 'overcommit': [" + overcommits + "]}}");
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("grid");
            assertThat(e.reason())
                    .isEqualTo("20402 runs (101 × 101 points × 2 repetitions) exceed the limit of 10000"
                            + " (fleet-controller.sweep.max-runs)");
        });
    }

    @Test
    void namesTheGridPointsTheModelRejects() {
        SweepPlanner strict = new SweepPlanner(10_000, 2);
        List<FieldError> errors;
        try {
            strict.plan(json("{'base_scenario': {}, 'grid': {'vms.vcpus': [4, 0, -1, -2], 'ipi_window_ns': [1]}}"));
            throw new AssertionError("expected an invalid sweep");
        } catch (InvalidSweepException e) {
            errors = e.errors();
        }
        assertThat(fields(errors)).containsExactly("grid[1].vms.vcpus", "grid[2].vms.vcpus", "grid");
        assertThat(errors.get(0).reason()).contains("at grid point 1: {\"vms.vcpus\":0,\"ipi_window_ns\":1}");
        assertThat(errors.get(2).reason())
                .isEqualTo("1 more of the 4 grid points are rejected by the model (not listed)");
    }

    @Test
    void refusesANonObjectBodyAndAMissingBaseScenario() {
        assertThatThrownBy(() -> planner.plan(json("[1]")))
                .isInstanceOf(InvalidSweepException.class)
                .extracting(e -> fields(((InvalidSweepException) e).errors()))
                .isEqualTo(List.of("(body)"));
        assertThat(fields(errorsOf("{'grid': {}}"))).containsExactly("base_scenario");
        assertThat(fields(errorsOf("{'base_scenario': 3}"))).containsExactly("base_scenario");
    }

    @Test
    void theExampleSweepExpandsToFortyEightRuns() throws Exception {
        JsonNode example = JSON.readTree(Files.readString(Path.of("../examples/sweeps/default-sweep.json")));
        SweepPlan plan = planner.plan(example);
        assertThat(plan.gridPoints()).isEqualTo(16);
        assertThat(plan.runCount()).isEqualTo(48);
        assertThat(plan.points())
                .extracting(p -> scenario(p).at("/vms/count").intValue())
                .containsExactly(1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4);
    }
}
