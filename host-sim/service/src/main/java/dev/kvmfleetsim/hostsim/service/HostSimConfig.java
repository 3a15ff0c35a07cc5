package dev.kvmfleetsim.hostsim.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the host-sim service under the prefix {@code host-sim} (env: {@code HOST_SIM_...}). */
@ConfigMapping(prefix = "host-sim")
public interface HostSimConfig {

    /** Identity of this running instance. */
    Instance instance();

    /** Identity of one host-sim instance among the replicas of its consumer group. */
    interface Instance {

        /** Instance id ({@code HOST_SIM_INSTANCE_ID}); defaults to the host (pod) name. */
        @WithDefault("${HOSTNAME:host-sim-local}")
        String id();
    }
}
