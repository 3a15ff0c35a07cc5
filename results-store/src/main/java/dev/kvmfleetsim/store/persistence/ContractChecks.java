package dev.kvmfleetsim.store.persistence;

import dev.kvmfleetsim.contract.EventBatch;
import dev.kvmfleetsim.contract.RunResult;
import dev.kvmfleetsim.contract.TraceEvent;
import dev.kvmfleetsim.contract.UnreadableMessageException;

/**
 * What a message must hold beyond its JSON shape before anything of it is stored; a violation names the field and
 * sends the record to the dead letters instead of failing inside the database.
 */
public final class ContractChecks {
    private ContractChecks() {}

    /** @throws UnreadableMessageException naming the first field that is missing or out of range */
    public static RunResult check(RunResult r) {
        requireText(r.runId(), "run_id");
        requireText(r.sweepId(), "sweep_id");
        requireText(r.modelVersion(), "model_version");
        requireText(r.hostSimInstance(), "host_sim_instance");
        require(r.attempt() >= 1, "attempt: must be at least 1, was " + r.attempt());
        require(r.scenario() != null && r.scenario().isObject(), "scenario: missing or not an object");
        require(r.result() != null, "result: missing");
        require(
                r.result().measuredNs() > 0,
                "result.measured_ns: must be positive, was " + r.result().measuredNs());
        require(r.result().exits() != null, "result.exits: missing");
        require(r.result().counters() != null, "result.counters: missing");
        require(r.result().workload() != null, "result.workload: missing");
        for (var row : r.result().exits()) {
            require(row != null && row.reason() != null, "result.exits: a row without a reason");
        }
        return r;
    }

    /** @throws UnreadableMessageException naming the first field that is missing or out of range */
    public static EventBatch check(EventBatch b) {
        requireText(b.runId(), "run_id");
        require(b.attempt() >= 1, "attempt: must be at least 1, was " + b.attempt());
        require(b.sequence() >= 0, "sequence: must not be negative, was " + b.sequence());
        require(b.detail() != null, "detail: missing");
        for (int i = 0; i < b.exits().size(); i++) {
            TraceEvent.Exit e = b.exits().get(i);
            require(e != null && e.reason() != null, "exits[" + i + "].reason: missing");
        }
        for (int i = 0; i < b.yields().size(); i++) {
            TraceEvent.Yield y = b.yields().get(i);
            require(
                    y != null && y.cause() != null && y.failure() != null,
                    "yields[" + i + "]: cause or failure missing");
        }
        return b;
    }

    private static void requireText(String value, String field) {
        require(value != null && !value.isBlank(), field + ": missing or blank");
    }

    private static void require(boolean ok, String reason) {
        if (!ok) {
            throw new UnreadableMessageException(reason, null);
        }
    }
}
