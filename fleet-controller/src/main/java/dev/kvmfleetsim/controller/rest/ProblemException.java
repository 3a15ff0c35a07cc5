package dev.kvmfleetsim.controller.rest;

import dev.kvmfleetsim.contract.Problem;
import dev.kvmfleetsim.contract.Problem.FieldError;
import jakarta.ws.rs.core.Response.Status;
import java.util.List;

/** Ends a request with an RFC 9457 {@link Problem}; {@link ProblemMapper} writes it. */
public final class ProblemException extends RuntimeException {
    static final String INVALID_SWEEP = "urn:kvm-fleet-sim:problem:invalid-sweep";
    static final String MALFORMED_BODY = "urn:kvm-fleet-sim:problem:malformed-body";
    static final String INVALID_PARAMETER = "urn:kvm-fleet-sim:problem:invalid-parameter";
    static final String SWEEP_FINISHED = "urn:kvm-fleet-sim:problem:sweep-finished";

    private final transient Problem problem;

    private ProblemException(Problem problem) {
        super(problem.title() + ": " + problem.detail());
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    /** 400: the sweep request has problems, all of them listed. */
    public static ProblemException invalidSweep(List<FieldError> errors) {
        return new ProblemException(new Problem(
                INVALID_SWEEP,
                "Invalid sweep",
                Status.BAD_REQUEST.getStatusCode(),
                errors.size() + " problem(s) in the sweep request; nothing was stored",
                null,
                errors));
    }

    /** 400: the body is not JSON. */
    public static ProblemException malformedBody(String why) {
        return new ProblemException(new Problem(
                MALFORMED_BODY,
                "Malformed request body",
                Status.BAD_REQUEST.getStatusCode(),
                why,
                null,
                List.of(new FieldError("(body)", why))));
    }

    /** 400: a query parameter has a value the API does not know. */
    public static ProblemException invalidParameter(String parameter, String reason) {
        return new ProblemException(new Problem(
                INVALID_PARAMETER,
                "Invalid query parameter",
                Status.BAD_REQUEST.getStatusCode(),
                parameter + ": " + reason,
                null,
                List.of(new FieldError(parameter, reason))));
    }

    /** 404: no sweep with this id. */
    public static ProblemException sweepNotFound(String id) {
        return new ProblemException(new Problem(
                Problem.ABOUT_BLANK,
                Status.NOT_FOUND.getReasonPhrase(),
                Status.NOT_FOUND.getStatusCode(),
                "no sweep " + id,
                "/api/sweeps/" + id,
                null));
    }

    /** 409: the sweep has finished already. */
    public static ProblemException sweepFinished(String id, String state) {
        return new ProblemException(new Problem(
                SWEEP_FINISHED,
                "Sweep already finished",
                Status.CONFLICT.getStatusCode(),
                "sweep " + id + " is " + state + "; only a running sweep can be cancelled",
                "/api/sweeps/" + id,
                null));
    }
}
