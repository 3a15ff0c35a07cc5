package dev.kvmfleetsim.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the results-store service under the prefix {@code results-store} (env: {@code RESULTS_STORE_...}). */
@ConfigMapping(prefix = "results-store")
public interface ResultsStoreConfig {

    /** Identity of this running instance. */
    Instance instance();

    /** Identity of one results-store instance among its replicas. */
    interface Instance {

        /** Instance id ({@code RESULTS_STORE_INSTANCE_ID}); defaults to the host (pod) name. */
        @WithDefault("${HOSTNAME:results-store-local}")
        String id();
    }
}
