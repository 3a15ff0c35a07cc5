package dev.kvmfleetsim.store.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The service's one exception mapper: every {@link WebApplicationException} (404 for an unknown run or sweep, 405,
 * 406, ...) becomes an RFC 9457 problem with the exception's status and message. Other exceptions keep the framework's
 * 500 handling on purpose: there is no catch-all.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<WebApplicationException> {
    private final ObjectMapper json;

    @Context
    UriInfo uri;

    ProblemMapper(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public Response toResponse(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        Problem problem = new Problem(
                "about:blank",
                status.getReasonPhrase(),
                status.getStatusCode(),
                e.getMessage(),
                uri == null ? null : uri.getRequestUri().getRawPath());
        try {
            return Response.status(status.getStatusCode())
                    .type(Problem.MEDIA_TYPE)
                    .entity(json.writeValueAsString(problem))
                    .build();
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("a problem record always serializes", impossible);
        }
    }
}
