package dev.kvmfleetsim.controller.rest;

import dev.kvmfleetsim.contract.Problem;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The service's one exception mapper: writes a {@link ProblemException}'s RFC 9457 {@link Problem}, about the request's
 * path unless it names another instance. Other exceptions keep the framework's handling: there is no catch-all.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<ProblemException> {
    @Context
    UriInfo uri;

    @Override
    public Response toResponse(ProblemException e) {
        Problem problem = e.problem().at(uri.getRequestUri().getRawPath());
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }
}
