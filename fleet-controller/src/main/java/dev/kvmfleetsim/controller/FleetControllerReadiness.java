package dev.kvmfleetsim.controller;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness check named {@code fleet-controller} that reports which configured instance answers. */
@Readiness
@ApplicationScoped
public class FleetControllerReadiness implements HealthCheck {

    private final FleetControllerConfig config;

    FleetControllerReadiness(FleetControllerConfig config) {
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("fleet-controller")
                .up()
                .withData("instance-id", config.instance().id())
                .build();
    }
}
