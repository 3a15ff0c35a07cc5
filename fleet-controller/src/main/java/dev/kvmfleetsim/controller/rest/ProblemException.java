package dev.kvmfleetsim.controller.rest;

import dev.kvmfleetsim.controller.grid.FieldError;
import java.util.List;

/** Ends a request with an RFC 9457 problem; {@link ProblemExceptionMapper} writes it. */
public final class ProblemException extends RuntimeException {
    static final String INVALID_SWEEP = "urn:kvm-fleet-sim:problem:invalid-sweep";
    static final String MALFORMED_BODY = "urn:kvm-fleet-sim:problem:malformed-body";
    static final String INVALID_PARAMETER = "urn:kvm-fleet-sim:problem:invalid-parameter";
    static final String SWEEP_FINISHED = "urn:kvm-fleet-sim:problem:sweep-finished";

    private final transient ProblemDetail problem;

    private ProblemException(ProblemDetail problem) {
        super(problem.title() + ": " + problem.detail());
        this.problem = problem;
    }

    public ProblemDetail problem() {
        return problem;
    }

    /** 400: the sweep request has problems, all of them listed. */
    public static ProblemException invalidSweep(List<FieldError> errors) {
        return new ProblemException(new ProblemDetail(
                INVALID_SWEEP,
                "Invalid sweep",
                400,
                errors.size() + " problem(s) in the sweep request; nothing was stored",
                null,
                List.copyOf(errors)));
    }

    /** 400: the body is not JSON. */
    public static ProblemException malformedBody(String why) {
        return new ProblemException(new ProblemDetail(
                MALFORMED_BODY, "Malformed request body", 400, why, null, List.of(new FieldError("(body)", why))));
    }

    /** 400: a query parameter has a value the API does not know. */
    public static ProblemException invalidParameter(String parameter, String reason) {
        return new ProblemException(new ProblemDetail(
                INVALID_PARAMETER,
                "Invalid query parameter",
                400,
                parameter + ": " + reason,
                null,
                List.of(new FieldError(parameter, reason))));
    }

    /** 404: no sweep with this id. */
    public static ProblemException sweepNotFound(String id) {
        return new ProblemException(
                new ProblemDetail("about:blank", "Not Found", 404, "no sweep " + id, "/api/sweeps/" + id, null));
    }

    /** 409: the sweep has finished already. */
    public static ProblemException sweepFinished(String id, String state) {
        return new ProblemException(new ProblemDetail(
                SWEEP_FINISHED,
                "Sweep already finished",
                409,
                "sweep " + id + " is " + state + "; only a running sweep can be cancelled",
                "/api/sweeps/" + id,
                null));
    }
}
