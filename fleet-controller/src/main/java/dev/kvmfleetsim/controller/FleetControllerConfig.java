package dev.kvmfleetsim.controller;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the fleet-controller service under the prefix {@code fleet-controller} (env: {@code FLEET_CONTROLLER_...}). */
@ConfigMapping(prefix = "fleet-controller")
public interface FleetControllerConfig {

    /** Identity of this running instance. */
    Instance instance();

    /** Identity of one fleet-controller instance among its replicas. */
    interface Instance {

        /** Instance id ({@code FLEET_CONTROLLER_INSTANCE_ID}); defaults to the host (pod) name. */
        @WithDefault("${HOSTNAME:fleet-controller-local}")
        String id();
    }
}
