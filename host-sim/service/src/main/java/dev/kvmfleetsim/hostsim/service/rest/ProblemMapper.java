package dev.kvmfleetsim.hostsim.service.rest;

import dev.kvmfleetsim.contract.Problem;
import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;

/**
 * The service's one exception mapper: a scenario that cannot run becomes 400 with an RFC 9457 {@link Problem} naming
 * every bad field. Other exceptions keep the framework's handling: there is no catch-all.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<InvalidScenarioException> {

    /** Problem type of a rejected scenario. */
    static final String INVALID_SCENARIO = "urn:kvm-fleet-sim:problem:invalid-scenario";

    @Context
    UriInfo uri;

    @Override
    public Response toResponse(InvalidScenarioException e) {
        List<Problem.FieldError> errors = e.violations().stream()
                .map(v -> new Problem.FieldError(v.field(), v.reason()))
                .toList();
        Response.Status status = Response.Status.BAD_REQUEST;
        Problem problem = new Problem(
                INVALID_SCENARIO,
                "Invalid scenario",
                status.getStatusCode(),
                errors.size() + (errors.size() == 1 ? " problem: " : " problems: ") + e.getMessage(),
                null,
                errors);
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.at(uri.getRequestUri().getRawPath()))
                .build();
    }
}
