package dev.kvmfleetsim.controller.grid;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvmfleetsim.contract.DetailLevel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * A valid sweep request, expanded: every grid point with its resolved scenario, validated by the model.
 *
 * @param name label of the sweep
 * @param seed the sweep seed; repetition r runs with {@link RepetitionSeeds#of}(seed, r)
 * @param repetitions runs per grid point
 * @param detail detail level of the runs' events
 * @param baseScenario the base scenario as submitted
 * @param axes the axes with their values, in the order given
 * @param points every grid point, in expansion order (index = position)
 */
public record SweepPlan(
        String name,
        long seed,
        int repetitions,
        DetailLevel detail,
        ObjectNode baseScenario,
        List<Axis.Values> axes,
        List<Point> points) {

    public SweepPlan {
        axes = List.copyOf(axes);
        points = List.copyOf(points);
    }

    /**
     * One grid point.
     *
     * @param index position in the cartesian product (the last axis varies fastest)
     * @param parameters axis name → value at this point, in the axes' order
     * @param scenario the resolved scenario (compact JSON, every default filled in, the base seed), or null when
     *     {@code sameAs} is set
     * @param sameAs index of the earlier point with an identical scenario, or -1: such a point is not run again
     */
    public record Point(int index, ObjectNode parameters, String scenario, int sameAs) {}

    /**
     * One run to store: a distinct point in one repetition.
     *
     * @param point the point (its {@code sameAs} is -1)
     * @param repetition 0-based
     * @param seed the repetition's seed
     * @param duplicates indexes of the later points with the identical scenario, which this run answers too
     */
    public record PlannedRun(Point point, int repetition, long seed, List<Integer> duplicates) {}

    /** Number of grid points (before merging identical ones). */
    public int gridPoints() {
        return points.size();
    }

    /** Number of distinct runs: distinct points × repetitions. */
    public int runCount() {
        int distinct = 0;
        for (Point p : points) {
            if (p.sameAs() < 0) {
                distinct++;
            }
        }
        return distinct * repetitions;
    }

    /** The seed of a repetition. */
    public long seedOf(int repetition) {
        return RepetitionSeeds.of(seed, repetition);
    }

    /** Every distinct run, repetition by repetition, points in order within each. */
    public void forEachRun(Consumer<PlannedRun> action) {
        List<List<Integer>> duplicates = new ArrayList<>(Collections.nCopies(points.size(), null));
        for (Point p : points) {
            if (p.sameAs() >= 0) {
                if (duplicates.get(p.sameAs()) == null) {
                    duplicates.set(p.sameAs(), new ArrayList<>());
                }
                duplicates.get(p.sameAs()).add(p.index());
            }
        }
        for (int r = 0; r < repetitions; r++) {
            long runSeed = seedOf(r);
            for (Point p : points) {
                if (p.sameAs() < 0) {
                    List<Integer> dup = duplicates.get(p.index());
                    action.accept(new PlannedRun(p, r, runSeed, dup == null ? List.of() : List.copyOf(dup)));
                }
            }
        }
    }
}
