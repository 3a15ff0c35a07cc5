package dev.kvmfleetsim.hostsim.service;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness check named {@code host-sim} that reports which configured instance answers and its worker count. */
@Readiness
@ApplicationScoped
public class HostSimReadiness implements HealthCheck {

    private final HostSimConfig config;

    HostSimReadiness(HostSimConfig config) {
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("host-sim")
                .up()
                .withData("instance-id", config.instance().id())
                .withData("workers", config.workers())
                .build();
    }
}
