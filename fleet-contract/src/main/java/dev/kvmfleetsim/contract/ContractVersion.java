package dev.kvmfleetsim.contract;

/** The schema version of the contract's JSON messages: bumped on any incompatible change. */
public final class ContractVersion {
    public static final int CURRENT = 1;

    private ContractVersion() {}
}
