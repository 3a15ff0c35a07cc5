package dev.kvmfleetsim.controller.dispatch;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.UnreadableMessageException;
import dev.kvmfleetsim.controller.sweep.SweepService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code fleet.results} (consumer group {@code fleet-controller}; an offset is committed after the record
 * was handled, so after the run's new state is committed): each result marks its run DONE. A record that is not a
 * readable RunResult, or a result that cannot be stored after a few tries, throws; the channel's dead-letter-queue
 * failure strategy, the one dead-letter path of this service, then copies it to {@code fleet.dead-letter} with the
 * reason in the {@code dead-letter-reason} header (and where it came from), and the consumer goes on. A run whose
 * result was dead-lettered is dispatched again when its lease expires.
 */
@ApplicationScoped
public class ResultConsumer {
    private static final Logger LOG = Logger.getLogger(ResultConsumer.class);
    private static final int STORE_TRIES = 3;

    private final SweepService service;

    ResultConsumer(SweepService service) {
        this.service = service;
    }

    @Incoming("results")
    @Blocking
    public void onResult(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        if (record.value() == null) {
            throw new UnreadableMessageException("empty record (no value)", null);
        }
        RunResult result = ContractJson.read(record.value(), RunResult.class);
        for (int attempt = 1; ; attempt++) {
            try {
                service.recordResult(result);
                return;
            } catch (RuntimeException e) {
                if (attempt == STORE_TRIES) {
                    throw e;
                }
                LOG.warnf("result for run %s not stored (try %d), trying again: %s", result.runId(), attempt, e);
                Thread.sleep(200L * attempt * attempt);
            }
        }
    }
}
