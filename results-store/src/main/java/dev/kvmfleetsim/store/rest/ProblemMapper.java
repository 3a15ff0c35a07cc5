package dev.kvmfleetsim.store.rest;

import dev.kvmfleetsim.contract.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The service's one exception mapper: every {@link WebApplicationException} (404 for an unknown run or sweep, 405,
 * 406, ...) becomes an RFC 9457 {@link Problem} with the exception's status and message. Other exceptions keep the
 * framework's 500 handling on purpose: there is no catch-all.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<WebApplicationException> {
    @Context
    UriInfo uri;

    @Override
    public Response toResponse(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        Problem problem = new Problem(
                Problem.ABOUT_BLANK, status.getReasonPhrase(), status.getStatusCode(), e.getMessage(), null, null);
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.at(uri.getRequestUri().getRawPath()))
                .build();
    }
}
