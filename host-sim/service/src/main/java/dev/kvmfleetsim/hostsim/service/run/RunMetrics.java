package dev.kvmfleetsim.hostsim.service.run;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * The service's own Prometheus meters: {@code hostsim_runs_total{outcome}} (fleet runs: completed, rejected as
 * unreadable or invalid, failed), {@code hostsim_events_published_total} (events in acknowledged batches) and
 * {@code hostsim_run_duration_seconds} (wall time of the model). Registered at startup so they read 0 before the first
 * run. Thread-safe.
 */
@Startup
@ApplicationScoped
public class RunMetrics {

    private final Counter completed;
    private final Counter rejected;
    private final Counter failed;
    private final Counter eventsPublished;
    private final Timer runDuration;

    RunMetrics(MeterRegistry registry) {
        completed = runs(registry, "completed");
        rejected = runs(registry, "rejected");
        failed = runs(registry, "failed");
        eventsPublished = Counter.builder("hostsim.events.published")
                .description("Trace events in event batches the broker acknowledged")
                .register(registry);
        runDuration = Timer.builder("hostsim.run.duration")
                .description("Wall-clock time the model took for one fleet run")
                .register(registry);
    }

    private static Counter runs(MeterRegistry registry, String outcome) {
        return Counter.builder("hostsim.runs")
                .description("Fleet runs taken from fleet.runs, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    /** A run whose events and result the broker acknowledged. */
    public void runCompleted() {
        completed.increment();
    }

    /** A request that could not be read or whose scenario is invalid (dead-lettered). */
    public void runRejected() {
        rejected.increment();
    }

    /** A request that failed while running or publishing (dead-lettered). */
    public void runFailed() {
        failed.increment();
    }

    /** Events in one acknowledged batch. */
    public void eventsPublished(int count) {
        eventsPublished.increment(count);
    }

    /** Time the model took for one run. */
    public void modelTime(long nanos) {
        runDuration.record(nanos, TimeUnit.NANOSECONDS);
    }
}
