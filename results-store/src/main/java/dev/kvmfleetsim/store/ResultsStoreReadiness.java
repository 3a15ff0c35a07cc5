package dev.kvmfleetsim.store;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness check named {@code results-store} that reports which configured instance answers. */
@Readiness
@ApplicationScoped
public class ResultsStoreReadiness implements HealthCheck {

    private final ResultsStoreConfig config;

    ResultsStoreReadiness(ResultsStoreConfig config) {
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("results-store")
                .up()
                .withData("instance-id", config.instance().id())
                .build();
    }
}
