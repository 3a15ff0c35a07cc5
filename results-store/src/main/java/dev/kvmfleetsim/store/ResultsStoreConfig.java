package dev.kvmfleetsim.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Configuration of the results-store service under the prefix {@code results-store} (env: {@code RESULTS_STORE_...}). */
@ConfigMapping(prefix = "results-store")
public interface ResultsStoreConfig {

    /** Identity of this running instance. */
    Instance instance();

    /** How messages are written to PostgreSQL. */
    Write write();

    /** Identity of one results-store instance among its replicas. */
    interface Instance {

        /** Instance id ({@code RESULTS_STORE_INSTANCE_ID}); defaults to the host (pod) name. */
        @WithDefault("${HOSTNAME:results-store-local}")
        String id();
    }

    /**
     * Transactions of the consumers. {@code attempts}, {@code backoff} and {@code max-backoff} configure the services'
     * one retry policy for transient database failures ({@code DatabaseRetry}; fleet-controller's {@code results.*}
     * has the same keys and defaults).
     */
    interface Write {

        /**
         * Attempts of one message's transaction when the database fails transiently (connection lost, pool
         * exhausted, serialization failure); after the last one the record goes to the dead letters
         * ({@code RESULTS_STORE_WRITE_ATTEMPTS}).
         */
        @WithDefault("8")
        int attempts();

        /** Pause after the first failed attempt, doubled after each further one ({@code RESULTS_STORE_WRITE_BACKOFF}). */
        @WithDefault("200ms")
        Duration backoff();

        /** Longest pause between attempts ({@code RESULTS_STORE_WRITE_MAX_BACKOFF}). */
        @WithDefault("10s")
        Duration maxBackoff();

        /** Bytes of COPY text buffered before they are sent to PostgreSQL ({@code RESULTS_STORE_WRITE_COPY_BUFFER_BYTES}). */
        @WithDefault("65536")
        int copyBufferBytes();
    }
}
