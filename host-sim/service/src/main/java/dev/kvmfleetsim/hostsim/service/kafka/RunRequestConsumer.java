package dev.kvmfleetsim.hostsim.service.kafka;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.RunRequest;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.UnreadableMessageException;
import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import dev.kvmfleetsim.hostsim.service.run.FleetRunService;
import dev.kvmfleetsim.hostsim.service.run.RunMetrics;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Kafka adapter of the fleet runs: takes each record of {@code fleet.runs} on the {@value #WORKER_POOL} pool (size
 * {@code host-sim.workers}), runs it, publishes its events and result, and acknowledges the record (so its offset
 * can be committed) only once the broker acknowledged them. A record that cannot be read, has an invalid scenario or
 * fails is nacked, which the channel's dead-letter-queue failure strategy sends to {@code fleet.dead-letter} with
 * the reason in the {@code dead-letter-reason} header; the consumer goes on with the next record.
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
    public CompletionStage<Void> consume(Message<byte[]> record) {
        RunResult result;
        try {
            RunRequest request = decode(record.getPayload());
            RunPublication publication = publisher.open(request.runId());
            result = runs.execute(request, publication::batch);
            publication.result(result);
        } catch (UnreadableMessageException e) {
            return reject(record, e);
        } catch (InvalidScenarioException e) {
            return reject(record, new UnreadableMessageException("invalid scenario: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            metrics.runFailed();
            LOG.errorf(e, "Run of %s failed; dead-lettering the request", where(record));
            return record.nack(e);
        }
        metrics.runCompleted();
        LOG.infof(
                "Run %s attempt %d done: model %d ms, seed %d",
                result.runId(), result.attempt(), result.wallMillis(), result.seed());
        return record.ack();
    }

    private CompletionStage<Void> reject(Message<byte[]> record, UnreadableMessageException reason) {
        metrics.runRejected();
        LOG.warnf("Dead-lettering %s: %s", where(record), reason.getMessage());
        return record.nack(reason);
    }

    private static RunRequest decode(byte[] value) {
        if (value == null) {
            throw new UnreadableMessageException("empty record (null value)", null);
        }
        RunRequest request = ContractJson.read(value, RunRequest.class);
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

    /** topic-partition@offset and key of a record, for the log. */
    private static String where(Message<byte[]> record) {
        return record.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getTopic() + "-" + m.getPartition() + "@" + m.getOffset() + " (key " + m.getKey() + ")")
                .orElse("a run request");
    }
}
