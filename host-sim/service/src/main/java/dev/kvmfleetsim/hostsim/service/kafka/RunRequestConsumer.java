package dev.kvmfleetsim.hostsim.service.kafka;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.RunRequest;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.UnreadableMessageException;
import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import dev.kvmfleetsim.hostsim.service.run.FleetRunService;
import dev.kvmfleetsim.hostsim.service.run.RunMetrics;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Kafka adapter of the fleet runs: takes each record of {@code fleet.runs} on the {@value #WORKER_POOL} pool (size
 * {@code host-sim.workers}), runs it, publishes its events and result, and returns only once the broker acknowledged
 * them: the record is acknowledged (and its offset committed) after that. A throw nacks the record, which the
 * channel's dead-letter-queue failure strategy sends to {@code fleet.dead-letter} with the message as
 * {@code dead-letter-reason}.
 */
@ApplicationScoped
public class RunRequestConsumer {

    /** The named worker pool; its size is {@code smallrye.messaging.worker.host-sim-runs.max-concurrency}. */
    static final String WORKER_POOL = "host-sim-runs";

    private static final Logger LOG = Logger.getLogger(RunRequestConsumer.class);

    private final FleetRunService runs;
    private final RunPublisher publisher;
    private final RunMetrics metrics;

    RunRequestConsumer(FleetRunService runs, RunPublisher publisher, RunMetrics metrics) {
        this.runs = runs;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    @Incoming(Channels.RUNS)
    @Blocking(value = WORKER_POOL, ordered = false)
    public void consume(byte[] record) {
        RunRequest request;
        RunResult result;
        try {
            request = decode(record);
            RunPublication publication = publisher.open(request.runId());
            result = runs.execute(request, publication::batch);
            publication.result(result);
        } catch (UnreadableMessageException e) {
            metrics.runRejected();
            LOG.warnf("Dead-lettering an unreadable run request: %s", e.getMessage());
            throw e;
        } catch (InvalidScenarioException e) {
            metrics.runRejected();
            LOG.warnf("Dead-lettering a run request with an invalid scenario: %s", e.getMessage());
            throw new UnreadableMessageException("invalid scenario: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            metrics.runFailed();
            LOG.errorf(e, "Run failed; dead-lettering its request");
            throw e;
        }
        metrics.runCompleted();
        LOG.infof(
                "Run %s attempt %d done in %d ms (seed %d, %s)",
                result.runId(),
                result.attempt(),
                result.wallMillis(),
                result.seed(),
                request.detail());
    }

    private static RunRequest decode(byte[] record) {
        if (record == null) {
            throw new UnreadableMessageException("empty record (null value)", null);
        }
        RunRequest request = ContractJson.read(record, RunRequest.class);
        if (request.runId() == null || request.runId().isBlank()) {
            throw new UnreadableMessageException("run_id: missing", null);
        }
        if (request.scenario() == null) {
            throw new UnreadableMessageException("scenario: missing", null);
        }
        if (request.detail() == null) {
            throw new UnreadableMessageException("detail: missing", null);
        }
        return request;
    }
}
