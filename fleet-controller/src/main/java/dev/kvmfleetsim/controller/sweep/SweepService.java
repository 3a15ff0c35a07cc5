package dev.kvmfleetsim.controller.sweep;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.controller.FleetControllerConfig;
import dev.kvmfleetsim.controller.grid.Axis;
import dev.kvmfleetsim.controller.grid.InvalidSweepException;
import dev.kvmfleetsim.controller.grid.SweepPlan;
import dev.kvmfleetsim.controller.grid.SweepPlanner;
import dev.kvmfleetsim.controller.rest.ProblemException;
import dev.kvmfleetsim.controller.rest.Progress;
import dev.kvmfleetsim.controller.rest.ProgressEvent;
import dev.kvmfleetsim.controller.rest.RunView;
import dev.kvmfleetsim.controller.rest.SweepView;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.StatelessSession;
import org.jboss.logging.Logger;

/** Sweeps and their runs: creation from a request, queries, cancellation, results. */
@ApplicationScoped
public class SweepService {
    private static final Logger LOG = Logger.getLogger(SweepService.class);
    /** Request bodies: a key given twice is an error, not silently the last one. */
    private static final ObjectMapper BODY = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** Runs are inserted in JDBC batches of this size, without a persistence context (no snapshots to keep). */
    private static final int INSERT_BATCH = 250;

    private final SweepRepository sweeps;
    private final RunRepository runs;
    private final Event<SweepChanged> changed;
    private final SweepPlanner planner;
    private final StatelessSession bulk;

    SweepService(
            SweepRepository sweeps,
            RunRepository runs,
            Event<SweepChanged> changed,
            FleetControllerConfig config,
            StatelessSession bulk) {
        this.bulk = bulk;
        this.sweeps = sweeps;
        this.runs = runs;
        this.changed = changed;
        this.planner = new SweepPlanner(config.sweep().maxRuns(), config.sweep().maxReportedPoints());
    }

    /**
     * Checks a sweep request, expands its grid and stores the sweep with its runs (all PENDING).
     *
     * @throws ProblemException 400 listing every problem of the request
     */
    public SweepView create(String body) {
        JsonNode request;
        try {
            request = BODY.readTree(body);
        } catch (JsonProcessingException e) {
            throw ProblemException.malformedBody("not valid JSON: " + e.getOriginalMessage());
        }
        long start = System.nanoTime();
        SweepPlan plan;
        try {
            plan = planner.plan(request);
        } catch (InvalidSweepException e) {
            throw ProblemException.invalidSweep(e.errors());
        }
        long planned = System.nanoTime();
        String id = UUID.randomUUID().toString();
        QuarkusTransaction.requiringNew().run(() -> store(id, plan));
        LOG.infof(
                "sweep %s (%s): %d grid points x %d repetitions, %d runs; planned in %d ms, stored in %d ms",
                id,
                plan.name(),
                plan.gridPoints(),
                plan.repetitions(),
                plan.runCount(),
                (planned - start) / 1_000_000,
                (System.nanoTime() - planned) / 1_000_000);
        return get(id);
    }

    private void store(String id, SweepPlan plan) {
        Sweep sweep = new Sweep();
        sweep.id = id;
        sweep.name = plan.name();
        sweep.seed = plan.seed();
        sweep.repetitions = plan.repetitions();
        sweep.detail = plan.detail();
        sweep.state = SweepState.RUNNING;
        sweep.createdAt = Instant.now();
        sweep.baseScenario = plan.baseScenario();
        ArrayNode grid = JsonNodeFactory.instance.arrayNode();
        for (Axis.Values axis : plan.axes()) {
            grid.addObject().put("axis", axis.axis()).set("values", axis.values());
        }
        sweep.grid = grid;
        sweep.gridPoints = plan.gridPoints();
        sweep.runCount = plan.runCount();
        sweeps.persist(sweep);
        sweeps.flush();
        List<Run> batch = new ArrayList<>(INSERT_BATCH);
        plan.forEachRun(planned -> {
            Run run = new Run();
            run.runId = Run.idOf(id, planned.point().index(), planned.repetition());
            run.sweepId = id;
            run.pointIndex = planned.point().index();
            run.repetition = planned.repetition();
            run.seed = planned.seed();
            run.parameters = planned.point().parameters();
            run.scenario = withSeed(planned.point().scenario(), planned.seed());
            ArrayNode duplicates = JsonNodeFactory.instance.arrayNode();
            planned.duplicates().forEach(duplicates::add);
            run.duplicatePoints = duplicates;
            run.state = RunState.PENDING;
            run.attempt = 0;
            batch.add(run);
            if (batch.size() == INSERT_BATCH) {
                bulk.insertMultiple(batch);
                batch.clear();
            }
        });
        if (!batch.isEmpty()) {
            bulk.insertMultiple(batch);
        }
    }

    private static JsonNode withSeed(String scenario, long seed) {
        try {
            ObjectNode tree = (ObjectNode) ScenarioJson.mapper().readTree(scenario);
            tree.put("seed", seed);
            return tree;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a canonical scenario always parses", e);
        }
    }

    /** A sweep with its progress. */
    @Transactional
    public SweepView get(String id) {
        Sweep sweep = sweeps.findByIdOptional(id).orElseThrow(() -> ProblemException.sweepNotFound(id));
        return SweepView.of(sweep, Progress.of(runs.countByState(id)), true);
    }

    /** All sweeps, newest first, with their progress (without base scenarios). */
    @Transactional
    public List<SweepView> list(Optional<String> state) {
        Optional<SweepState> filter = state.map(s -> parse(SweepState.class, s, "state"));
        Map<String, Map<RunState, Long>> counts = runs.countByState();
        return sweeps.listNewestFirst(filter).stream()
                .map(s -> SweepView.of(s, Progress.of(counts.getOrDefault(s.id, Map.of())), false))
                .toList();
    }

    /** A page of a sweep's runs. */
    @Transactional
    public List<RunView> runs(String id, Optional<String> state, int offset, int limit) {
        if (sweeps.findByIdOptional(id).isEmpty()) {
            throw ProblemException.sweepNotFound(id);
        }
        Optional<RunState> filter = state.map(s -> parse(RunState.class, s, "state"));
        return runs.page(id, filter, offset, limit).stream().map(RunView::of).toList();
    }

    /** State and run counts of a sweep, for progress streams. */
    @Transactional
    public ProgressEvent progress(String id) {
        Sweep sweep = sweeps.findByIdOptional(id).orElseThrow(() -> ProblemException.sweepNotFound(id));
        return new ProgressEvent(id, sweep.state.name().toLowerCase(Locale.ROOT), Progress.of(runs.countByState(id)));
    }

    /**
     * Cancels a running sweep: its pending runs are CANCELLED; runs in flight still record their results.
     *
     * @throws ProblemException 404 if unknown, 409 if it has finished already
     */
    @Transactional
    public SweepView cancel(String id) {
        Sweep sweep = sweeps.findForUpdate(id).orElseThrow(() -> ProblemException.sweepNotFound(id));
        if (sweep.state.finished()) {
            throw ProblemException.sweepFinished(id, sweep.state.name().toLowerCase(Locale.ROOT));
        }
        Instant now = Instant.now();
        int cancelled = runs.cancelPending(id, now);
        sweep.state = SweepState.CANCELLED;
        sweep.finishedAt = now;
        changed.fire(new SweepChanged(id));
        LOG.infof("sweep %s cancelled: %d pending runs cancelled", id, cancelled);
        return SweepView.of(sweep, Progress.of(runs.countByState(id)), true);
    }

    /**
     * Records a run's result: the run is DONE and its sweep finishes when it was the last one. Idempotent: a result
     * for a run that is DONE already (a redelivery, or a late answer to an earlier attempt) changes nothing.
     *
     * @return whether the run changed
     */
    @Transactional
    public boolean recordResult(RunResult result) {
        Run run = runs.findForUpdate(result.runId());
        if (run == null) {
            LOG.debugf("result for unknown run %s ignored", result.runId());
            return false;
        }
        if (run.state == RunState.DONE) {
            LOG.debugf("duplicate result for run %s (attempt %d) ignored", result.runId(), result.attempt());
            return false;
        }
        if (result.seed() != run.seed) {
            LOG.warnf("result for run %s has seed %d, the run has %d", run.runId, result.seed(), run.seed);
        }
        Instant now = Instant.now();
        run.state = RunState.DONE;
        run.finishedAt = now;
        run.resultAttempt = result.attempt();
        run.hostSimInstance = result.hostSimInstance();
        runs.flush();
        if (sweeps.finishCompleted(run.sweepId, now) > 0) {
            LOG.infof("sweep %s finished", run.sweepId);
        }
        changed.fire(new SweepChanged(run.sweepId));
        return true;
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String field) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidParameter(field, "unknown state '" + value + "'");
        }
    }
}
