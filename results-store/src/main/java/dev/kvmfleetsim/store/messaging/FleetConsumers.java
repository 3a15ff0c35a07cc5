package dev.kvmfleetsim.store.messaging;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.UnreadableMessageException;
import dev.kvmfleetsim.store.persistence.EventBatchWriter;
import dev.kvmfleetsim.store.service.StoreService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code fleet.results} and {@code fleet.events} (consumer group {@code results-store}). Each record is stored
 * in its own transaction on a worker thread, one record at a time per channel, and acknowledged (its offset committed)
 * only after the commit. A record that cannot be read or stored throws; the channel's failure strategy then sends it
 * to {@code fleet.dead-letter} with the exception's message in the {@code dead-letter-reason} header, and the
 * consumer goes on with the next record.
 */
@ApplicationScoped
public class FleetConsumers {
    private static final Logger LOG = Logger.getLogger(FleetConsumers.class);

    private final StoreService store;

    FleetConsumers(StoreService store) {
        this.store = store;
    }

    @Incoming(Channels.RESULTS)
    @Blocking
    public void onResult(ConsumerRecord<String, byte[]> record) {
        RunResult result = ContractJson.read(value(record), RunResult.class);
        boolean stored = store.storeResult(result);
        LOG.debugf(
                "run %s attempt %d: %s",
                result.runId(), result.attempt(), stored ? "stored" : "already stored, redelivery ignored");
    }

    @Incoming(Channels.EVENTS)
    @Blocking
    public void onEvents(ConsumerRecord<String, byte[]> record) {
        EventBatch batch = ContractJson.read(value(record), EventBatch.class);
        EventBatchWriter.Outcome outcome = store.storeBatch(batch);
        LOG.debugf(
                "events %s/%d/%d: %s",
                batch.runId(),
                batch.attempt(),
                batch.sequence(),
                outcome.stored() ? outcome.events() + " stored" : "already stored, redelivery ignored");
    }

    private static byte[] value(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null || record.value().length == 0) {
            throw new UnreadableMessageException("empty record (no value)", null);
        }
        return record.value();
    }
}
