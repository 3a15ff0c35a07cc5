package dev.kvmfleetsim.hostsim.service;

import io.quarkus.runtime.annotations.StaticInitSafe;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Supplies the default of {@code host-sim.workers}, the available processors, which a properties file cannot express.
 * Its ordinal is below application.properties, so any configured value wins. Static-init safe, since SmallRye reads
 * the worker pool's size (which refers to it) while the application initialises.
 */
@StaticInitSafe
public final class WorkerCountDefault implements ConfigSource {

    static final String KEY = "host-sim.workers";

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(KEY);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(KEY, String.valueOf(Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public String getValue(String propertyName) {
        return KEY.equals(propertyName) ? String.valueOf(Runtime.getRuntime().availableProcessors()) : null;
    }

    @Override
    public String getName() {
        return "host-sim worker count default";
    }

    @Override
    public int getOrdinal() {
        // Below application.properties (250), .env (295), environment (300) and system properties (400).
        return 50;
    }
}
