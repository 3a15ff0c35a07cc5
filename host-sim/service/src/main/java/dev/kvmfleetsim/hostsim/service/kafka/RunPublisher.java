package dev.kvmfleetsim.hostsim.service.kafka;

import dev.kvmfleetsim.contract.ContractJson;
import dev.kvmfleetsim.contract.ContractMessage;
import dev.kvmfleetsim.hostsim.service.HostSimConfig;
import dev.kvmfleetsim.hostsim.service.run.RunMetrics;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Sends a run's event batches and result to Kafka, keyed by run id, through the {@code events}/{@code results} channels. */
@ApplicationScoped
public class RunPublisher {

    private final MutinyEmitter<byte[]> events;
    private final MutinyEmitter<byte[]> results;
    private final HostSimConfig config;
    private final RunMetrics metrics;

    RunPublisher(
            @Channel(Channels.EVENTS) MutinyEmitter<byte[]> events,
            @Channel(Channels.RESULTS) MutinyEmitter<byte[]> results,
            HostSimConfig config,
            RunMetrics metrics) {
        this.events = events;
        this.results = results;
        this.config = config;
        this.metrics = metrics;
    }

    /** Starts publishing one run; use the returned publication from one thread. */
    public RunPublication open(String runId) {
        return new RunPublication(
                this,
                runId,
                config.events().maxInFlightBatches(),
                config.events().ackTimeout());
    }

    RunMetrics metrics() {
        return metrics;
    }

    CompletableFuture<Void> sendEvents(String runId, ContractMessage message) {
        return send(events, runId, message);
    }

    CompletableFuture<Void> sendResult(String runId, ContractMessage message) {
        return send(results, runId, message);
    }

    /** Completes when the broker acknowledged the record (acks=all), fails when the sink nacked it. */
    private static CompletableFuture<Void> send(MutinyEmitter<byte[]> emitter, String runId, ContractMessage message) {
        return emitter.sendMessage(KafkaRecord.of(runId, ContractJson.write(message)))
                .subscribeAsCompletionStage();
    }
}
