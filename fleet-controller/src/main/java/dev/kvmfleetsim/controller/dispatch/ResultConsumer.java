package dev.kvmfleetsim.controller.dispatch;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.Topics;
import dev.kvmfleetsim.contract.UnreadableMessageException;
import dev.kvmfleetsim.controller.FleetControllerConfig;
import dev.kvmfleetsim.controller.sweep.SweepService;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code fleet.results} (consumer group {@code fleet-controller}; an offset is committed after the record
 * was handled, so after the run's new state is committed): each result marks its run DONE. A record that is not a
 * readable RunResult is copied to {@code fleet.dead-letter} with the reason in the {@code dead-letter-reason} header
 * (and where it came from), then skipped. A result that cannot be stored after a few tries goes the same way through
 * the channel's failure strategy; its run is dispatched again when its lease expires.
 */
@ApplicationScoped
public class ResultConsumer {
    private static final Logger LOG = Logger.getLogger(ResultConsumer.class);
    private static final int STORE_TRIES = 3;

    private final SweepService service;
    private final FleetControllerConfig config;

    @Inject
    @Channel("dead-letter")
    MutinyEmitter<byte[]> deadLetters;

    ResultConsumer(SweepService service, FleetControllerConfig config) {
        this.service = service;
        this.config = config;
    }

    @Incoming("results")
    @Blocking
    public void onResult(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        RunResult result;
        try {
            if (record.value() == null) {
                throw new UnreadableMessageException("empty record (no value)", null);
            }
            result = ContractJson.read(record.value(), RunResult.class);
        } catch (UnreadableMessageException e) {
            LOG.warnf(
                    "unreadable record at %s-%d offset %d (key %s), sent to %s: %s",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    record.key(),
                    Topics.DEAD_LETTER,
                    e.getMessage());
            deadLetter(record, e);
            return;
        }
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

    private void deadLetter(ConsumerRecord<String, byte[]> record, Exception reason) throws InterruptedException {
        CompletableFuture<Void> ack = deadLetters
                .sendMessage(KafkaRecord.of(record.key(), record.value())
                        .withHeader("dead-letter-reason", utf8(reason.getMessage()))
                        .withHeader("dead-letter-topic", utf8(record.topic()))
                        .withHeader("dead-letter-partition", utf8(String.valueOf(record.partition())))
                        .withHeader("dead-letter-offset", utf8(String.valueOf(record.offset()))))
                .subscribeAsCompletionStage();
        try {
            ack.get(config.dispatch().sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write to " + Topics.DEAD_LETTER + ": " + e, e);
        }
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
