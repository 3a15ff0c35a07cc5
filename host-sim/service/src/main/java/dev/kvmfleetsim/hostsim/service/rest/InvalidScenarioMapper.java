package dev.kvmfleetsim.hostsim.service.rest;

import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;

/** The service's one exception mapper: a scenario that cannot run becomes 400 with an RFC 9457 problem document. */
@Provider
public class InvalidScenarioMapper implements ExceptionMapper<InvalidScenarioException> {

    /** Problem type of a rejected scenario. */
    static final String TYPE = "urn:kvm-fleet-sim:problem:invalid-scenario";

    @Context
    UriInfo uriInfo;

    @Override
    public Response toResponse(InvalidScenarioException e) {
        List<Problem.FieldError> errors = e.violations().stream()
                .map(v -> new Problem.FieldError(v.field(), v.reason()))
                .toList();
        Response.Status status = Response.Status.BAD_REQUEST;
        Problem problem = new Problem(
                TYPE,
                "Invalid scenario",
                status.getStatusCode(),
                errors.size() + (errors.size() == 1 ? " problem: " : " problems: ") + e.getMessage(),
                uriInfo.getRequestUri().getPath(),
                errors);
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
