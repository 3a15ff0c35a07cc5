package dev.kvmfleetsim.hostsim.model.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator.Violation;
import dev.kvmfleetsim.hostsim.model.testing.ExitLog;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import org.junit.jupiter.api.Test;

/**
 * Guests whose tasks block (review M2, issue 12 item 4), end to end: a sleeping task makes its vCPU idle (HLT, then
 * halt polling or blocking) until its wake-up, the I/O completion's MSI, its timer or a futex wake-up IPI.
 */
class BlockingGuestTest {
    private static String vm(String workload) {
        return """
                {"name": "blocking", "seed": 5, "duration_ns": 100000000,
                 "host": {"pcpus": 4}, "vms": {"count": 1, "vcpus": 4},
                 "kvm": {"enable_apicv": false},
                 "workload": {"mix": "dbench_like", "lock_probability": 0, "call_probability": 0, %s}}
                """.formatted(workload);
    }

    private static SimulationResult run(String workload, ExitLog log) {
        return Simulator.run(ScenarioJson.read(vm(workload), false), log);
    }

    @Test
    void aTaskWaitingForItsIoRingsTheDoorbellHaltsAndIsWokenByTheCompletionMsi() {
        ExitLog log = new ExitLog();
        SimulationResult r = run("\"block_probability\": 0.5, \"block_ns\": 200000, \"block_wake\": \"device\"", log);
        long doorbells = 0;
        long halts = 0;
        for (int v = 0; v < 4; v++) {
            doorbells += log.count(v, ExitReason.EPT_MISCONFIG);
            halts += log.count(v, ExitReason.HLT);
        }
        assertThat(doorbells).as("one doorbell per I/O").isGreaterThan(100);
        assertThat(halts)
                .as("the vCPU idles while its task waits (200 us is past the halt-poll window)")
                .isGreaterThan(doorbells / 2);
        assertThat(r.deviceLatency().count())
                .as("every I/O but the last few completes with its MSI")
                .isBetween(doorbells - 4, doorbells);
        assertThat(r.counter("halt_wakeup")).as("the MSI wakes a blocked vCPU").isGreaterThan(0);
    }

    @Test
    void aTimedSleepArmsTheTscDeadlineAndTheLapicTimerWakesTheTask() {
        ExitLog log = new ExitLog();
        run("\"block_probability\": 0.5, \"block_ns\": 200000, \"block_wake\": \"timer\"", log);
        long fastpathWrites = 0;
        long halts = 0;
        for (int v = 0; v < 4; v++) {
            fastpathWrites += log.count(v, ExitReason.MSR_WRITE);
            halts += log.count(v, ExitReason.HLT);
            assertThat(log.count(v, ExitReason.EPT_MISCONFIG)).isZero();
        }
        assertThat(fastpathWrites)
                .as("TSC-deadline writes, and the timer EOIs (PV EOI spares most)")
                .isGreaterThan(100);
        assertThat(halts).isGreaterThan(fastpathWrites / 4);
    }

    @Test
    void aFutexWaitIsEndedByAnotherVcpusReschedIpiAndTheVmNeverSleepsForEver() {
        ExitLog log = new ExitLog();
        SimulationResult r = run("\"block_probability\": 0.9, \"block_wake\": \"ipi\"", log);
        long halts = 0;
        for (int v = 0; v < 4; v++) {
            halts += log.count(v, ExitReason.HLT);
        }
        assertThat(halts).as("sleepers halt").isGreaterThan(100);
        assertThat(r.ipiLatency().count()).as("reschedule IPIs wake them").isGreaterThan(100);
        assertThat(r.workload().iterations())
                .as("the last task awake keeps the VM going")
                .isGreaterThan(400);
    }

    @Test
    void withoutBlockingNoVcpuHalts() {
        ExitLog log = new ExitLog();
        run("\"block_probability\": 0", log);
        for (int v = 0; v < 4; v++) {
            assertThat(log.count(v, ExitReason.HLT)).isZero();
            assertThat(log.count(v, ExitReason.EPT_MISCONFIG)).isZero();
        }
    }

    @Test
    void theValidatorRefusesABadProbabilityAndASourceOnTheIoVector() {
        String json = """
                {"name": "bad", "duration_ns": 1000000,
                 "msis": [{"vector": "0x22", "dest_apic_id": 0, "rate_per_sec": 10}],
                 "workload": {"mix": "dbench_like", "block_probability": 1.5}}
                """;
        assertThatThrownBy(() -> ScenarioJson.read(json, false))
                .isInstanceOfSatisfying(
                        InvalidScenarioException.class,
                        e -> assertThat(e.violations())
                                .extracting(Violation::field)
                                .containsExactly("workload.block_probability", "msis[0].vector"));
    }
}
