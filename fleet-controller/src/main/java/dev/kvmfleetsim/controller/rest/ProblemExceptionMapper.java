package dev.kvmfleetsim.controller.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Writes a {@link ProblemException} as {@code application/problem+json} (RFC 9457). The only exception mapper. */
@Provider
public class ProblemExceptionMapper implements ExceptionMapper<ProblemException> {
    public static final String PROBLEM_JSON = "application/problem+json";

    private final ObjectMapper json;

    public ProblemExceptionMapper(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public Response toResponse(ProblemException e) {
        String body;
        try {
            body = json.writeValueAsString(e.problem());
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("a problem always serializes", impossible);
        }
        return Response.status(e.problem().status())
                .type(PROBLEM_JSON)
                .entity(body)
                .build();
    }
}
