package dev.kvmfleetsim.contract;

/** A versioned message of the fleet contract. */
public sealed interface ContractMessage permits RunRequest, EventBatch, RunResult {
    int schemaVersion();
}
