package dev.kvmfleetsim.controller.grid;

import dev.kvmfleetsim.contract.Problem.FieldError;
import java.util.List;

/** A sweep request with one or more problems; {@link #errors()} lists every one of them. */
public final class InvalidSweepException extends RuntimeException {
    private final transient List<FieldError> errors;

    public InvalidSweepException(List<FieldError> errors) {
        super(errors.size() + " problem(s), first: " + errors.get(0).field() + ": "
                + errors.get(0).reason());
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
