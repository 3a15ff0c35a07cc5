package dev.kvmfleetsim.controller;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Configuration of the fleet-controller service under the prefix {@code fleet-controller} (env: {@code FLEET_CONTROLLER_...}). */
@ConfigMapping(prefix = "fleet-controller")
public interface FleetControllerConfig {

    /** Identity of this running instance. */
    Instance instance();

    /** Limits of the sweeps the API accepts. */
    Sweep sweep();

    /** The dispatch job that sends pending runs to {@code fleet.runs}. */
    Dispatch dispatch();

    /**
     * How long a dispatched run may go without a result before it is dispatched again with attempt + 1
     * ({@code FLEET_CONTROLLER_LEASE}): the host-sim that took it is presumed dead. Longer than the slowest run.
     */
    @WithDefault("120s")
    Duration lease();

    /** Server-sent progress streams. */
    Progress progress();

    /** The consumer of {@code fleet.results}. */
    Results results();

    /** Identity of one fleet-controller instance among its replicas. */
    interface Instance {

        /** Instance id ({@code FLEET_CONTROLLER_INSTANCE_ID}); defaults to the host (pod) name. */
        @WithDefault("${HOSTNAME:fleet-controller-local}")
        String id();
    }

    /** Limits of one sweep. */
    interface Sweep {

        /**
         * Most runs one sweep may expand to (grid points × repetitions, before identical runs are merged;
         * {@code FLEET_CONTROLLER_SWEEP_MAX_RUNS}).
         */
        @WithDefault("10000")
        int maxRuns();

        /** How many grid points the model rejects are listed one by one in a 400 answer (the rest are counted). */
        @WithDefault("5")
        int maxReportedPoints();
    }

    /** The dispatch job. */
    interface Dispatch {

        /** Period of the job ({@code FLEET_CONTROLLER_DISPATCH_INTERVAL}); at least 1 s (Quarkus's scheduler). */
        @WithDefault("1s")
        Duration interval();

        /**
         * Most runs in flight (DISPATCHED, no result yet) over all sweeps ({@code FLEET_CONTROLLER_DISPATCH_WINDOW}).
         * Leases start at dispatch, so runs should not wait in the topic for long: a few per host-sim instance.
         */
        @WithDefault("64")
        int window();

        /** A run whose lease expired this many times is FAILED instead of dispatched again. */
        @WithDefault("5")
        int maxAttempts();

        /** How long one job waits for the broker to acknowledge the run requests it sent. */
        @WithDefault("30s")
        Duration sendTimeout();
    }

    /**
     * Recording a result: the services' one retry policy for transient database failures ({@code DatabaseRetry}; the
     * same keys and defaults as results-store's {@code write.*}). After the last attempt the record goes to the dead
     * letters and its run is dispatched again when its lease expires.
     */
    interface Results {

        /** Attempts in all while the database fails transiently ({@code FLEET_CONTROLLER_RESULTS_ATTEMPTS}). */
        @WithDefault("8")
        int attempts();

        /** Pause after the first failed attempt, doubled after each further one ({@code FLEET_CONTROLLER_RESULTS_BACKOFF}). */
        @WithDefault("200ms")
        Duration backoff();

        /** Longest pause between attempts ({@code FLEET_CONTROLLER_RESULTS_MAX_BACKOFF}). */
        @WithDefault("10s")
        Duration maxBackoff();
    }

    /** Progress streams. */
    interface Progress {

        /**
         * How often a progress stream re-reads the database, besides reacting to this instance's results at once
         * (results handled by another replica, runs failed by the dispatch job).
         */
        @WithDefault("2s")
        Duration pollInterval();
    }
}
