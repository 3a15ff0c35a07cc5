package dev.kvmfleetsim.hostsim.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Configuration of the host-sim service under the prefix {@code host-sim} (env: {@code HOST_SIM_...}). */
@ConfigMapping(prefix = "host-sim")
public interface HostSimConfig {

    /** Identity of this running instance. */
    Instance instance();

    /**
     * Fleet runs executed at once on this instance ({@code HOST_SIM_WORKERS}); the default is the number of available
     * processors ({@link WorkerCountDefault}). It sizes the {@code host-sim-runs} worker pool.
     */
    int workers();

    /** How a fleet run's events are published on {@code fleet.events}. */
    Events events();

    /** Limits of the synchronous REST endpoint. */
    Rest rest();

    /** Identity of one host-sim instance among the replicas of its consumer group. */
    interface Instance {

        /** Instance id ({@code HOST_SIM_INSTANCE_ID}); defaults to the host (pod) name. */
        @WithDefault("${HOSTNAME:host-sim-local}")
        String id();
    }

    /** Event batching and publishing. */
    interface Events {

        /** Most events (exits plus yields) in one {@code EventBatch}: ~0.45 MB of JSON at 5,000. */
        @WithDefault("5000")
        int batchSize();

        /** SAMPLED detail keeps every n-th exit and every n-th yield. */
        @WithDefault("100")
        int sampleEvery();

        /** Batches of one run sent but not yet acknowledged by the broker before the run waits (backpressure). */
        @WithDefault("4")
        int maxInFlightBatches();

        /** How long to wait for the broker to acknowledge one record before the run fails. */
        @WithDefault("3m")
        Duration ackTimeout();
    }

    /** The synchronous {@code POST /api/simulations}. */
    interface Rest {

        /** Longest simulated duration (ns) accepted; longer scenarios go to the fleet. Default 1 s. */
        @WithDefault("1000000000")
        long maxDurationNs();
    }
}
