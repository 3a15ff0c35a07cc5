package dev.kvmfleetsim.hostsim.model;

import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator;
import java.util.List;
import java.util.stream.Collectors;

/** A scenario that cannot run, with every problem found, each naming its field. */
public final class InvalidScenarioException extends RuntimeException {
    private final transient List<ScenarioValidator.Violation> violations;

    public InvalidScenarioException(List<ScenarioValidator.Violation> violations) {
        super(violations.stream().map(ScenarioValidator.Violation::toString).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<ScenarioValidator.Violation> violations() {
        return violations;
    }
}
