package dev.kvmfleetsim.store.service;

import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.dbretry.DatabaseRetry;
import dev.kvmfleetsim.store.ResultsStoreConfig;
import dev.kvmfleetsim.store.persistence.ContractChecks;
import dev.kvmfleetsim.store.persistence.EventBatchWriter;
import dev.kvmfleetsim.store.persistence.RunResultWriter;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Stores results and event batches, each in one database transaction of its own, so that a message is acknowledged
 * only after everything of it is durable. Transient database failures are retried by the services' one policy
 * ({@link DatabaseRetry}, configured by {@code results-store.write.*}); anything else surfaces as an exception (and the
 * consumer dead-letters the record). Thread-safe.
 */
@ApplicationScoped
public class StoreService {
    private final AgroalDataSource dataSource;
    private final DatabaseRetry retry;
    private final RunResultWriter runWriter = new RunResultWriter();
    private final EventBatchWriter batchWriter;
    private final Counter runsStored;
    private final Counter runsDuplicate;
    private final Counter batchesStored;
    private final Counter batchesDuplicate;
    private final Counter eventsStored;

    StoreService(AgroalDataSource dataSource, ResultsStoreConfig config, MeterRegistry registry) {
        this.dataSource = dataSource;
        ResultsStoreConfig.Write write = config.write();
        this.retry = new DatabaseRetry(write.attempts(), write.backoff(), write.maxBackoff());
        this.batchWriter = new EventBatchWriter(write.copyBufferBytes());
        this.runsStored = registry.counter("results_store_runs", "outcome", "stored");
        this.runsDuplicate = registry.counter("results_store_runs", "outcome", "duplicate");
        this.batchesStored = registry.counter("results_store_event_batches", "outcome", "stored");
        this.batchesDuplicate = registry.counter("results_store_event_batches", "outcome", "duplicate");
        this.eventsStored = registry.counter("results_store_trace_events_stored");
    }

    /**
     * Stores a run's result and its child rows, unless the run already has a result (the first one stored wins).
     *
     * @return true if stored, false if it was a duplicate
     * @throws dev.kvmfleetsim.contract.UnreadableMessageException if the result lacks a required field
     * @throws StoreWriteException if the database refused it or stayed unavailable
     */
    public boolean storeResult(RunResult result) {
        ContractChecks.check(result);
        boolean stored = inTransaction("result of run " + result.runId(), c -> runWriter.insert(c, result));
        (stored ? runsStored : runsDuplicate).increment();
        return stored;
    }

    /**
     * Stores an event batch and its trace events, unless (run_id, attempt, sequence) is already stored.
     *
     * @throws dev.kvmfleetsim.contract.UnreadableMessageException if the batch lacks a required field
     * @throws StoreWriteException if the database refused it or stayed unavailable
     */
    public EventBatchWriter.Outcome storeBatch(EventBatch batch) {
        ContractChecks.check(batch);
        EventBatchWriter.Outcome outcome = inTransaction(
                "event batch " + batch.runId() + "/" + batch.attempt() + "/" + batch.sequence(),
                c -> batchWriter.insert(c, batch));
        if (outcome.stored()) {
            batchesStored.increment();
            eventsStored.increment(outcome.events());
        } else {
            batchesDuplicate.increment();
        }
        return outcome;
    }

    /** Work on a connection inside a transaction. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    <T> T inTransaction(String what, SqlWork<T> work) {
        try {
            return retry.call(what, () -> once(work));
        } catch (SQLException e) {
            if (!DatabaseRetry.isTransient(e)) {
                throw new StoreWriteException(
                        what + ": refused by the database (SQLSTATE " + e.getSQLState() + "): " + e.getMessage(), e);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new StoreWriteException(what + ": interrupted while waiting to retry: " + e.getMessage(), e);
            }
            throw new StoreWriteException(
                    what + ": database unavailable after " + retry.attempts() + " attempts: " + e.getMessage(), e);
        }
    }

    private <T> T once(SqlWork<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = work.run(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        }
    }

    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
