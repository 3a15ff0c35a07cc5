package dev.kvmfleetsim.hostsim.service.rest;

import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import dev.kvmfleetsim.hostsim.service.run.SimulationService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /api/simulations}: runs the scenario in the body (scenario file format, JSON) synchronously and answers
 * with its result in the model's snake_case JSON, or 400 with a problem document naming each bad field.
 */
@Path("/api/simulations")
public class SimulationResource {

    private final SimulationService simulations;

    SimulationResource(SimulationService simulations) {
        this.simulations = simulations;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public String simulate(String scenario) {
        // Serialized here with the model's own mapper (snake_case, lower-case enums), as bin/simulate --json does.
        return ScenarioJson.write(simulations.simulate(scenario));
    }
}
