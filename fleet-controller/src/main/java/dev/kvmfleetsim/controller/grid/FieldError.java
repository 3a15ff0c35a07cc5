package dev.kvmfleetsim.controller.grid;

/**
 * One problem of a sweep request.
 *
 * @param field where: a request field ({@code repetitions}), a scenario path under {@code base_scenario.}, an axis
 *     under {@code grid.} (a value as {@code grid.<axis>[i]}), or a rejected grid point as {@code grid[<point>].<path>}
 * @param reason what is wrong, in words
 */
public record FieldError(String field, String reason) {}
