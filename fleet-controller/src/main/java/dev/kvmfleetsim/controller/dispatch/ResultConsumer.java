package dev.kvmfleetsim.controller.dispatch;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.UnreadableMessageException;
import dev.kvmfleetsim.controller.FleetControllerConfig;
import dev.kvmfleetsim.controller.sweep.SweepService;
import dev.kvmfleetsim.dbretry.DatabaseRetry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code fleet.results} (consumer group {@code fleet-controller}; an offset is committed after the record
 * was handled, so after the run's new state is committed): each result marks its run DONE. A record that is not a
 * readable RunResult, or a result that cannot be stored (a permanent database failure, or a transient one after the
 * retry policy's attempts, {@code fleet-controller.results.*}), throws; the channel's dead-letter-queue
 * failure strategy, the one dead-letter path of this service, then copies it to {@code fleet.dead-letter} with the
 * reason in the {@code dead-letter-reason} header (and where it came from), and the consumer goes on. A run whose
 * result was dead-lettered is dispatched again when its lease expires.
 */
@ApplicationScoped
public class ResultConsumer {
    private final SweepService service;
    private final DatabaseRetry retry;

    ResultConsumer(SweepService service, FleetControllerConfig config) {
        this.service = service;
        FleetControllerConfig.Results results = config.results();
        this.retry = new DatabaseRetry(results.attempts(), results.backoff(), results.maxBackoff());
    }

    @Incoming("results")
    @Blocking
    public void onResult(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            throw new UnreadableMessageException("empty record (no value)", null);
        }
        RunResult result = ContractJson.read(record.value(), RunResult.class);
        // Each call is one transaction (SweepService.recordResult), so a retry starts afresh.
        retry.call("result of run " + result.runId(), () -> service.recordResult(result));
    }
}
