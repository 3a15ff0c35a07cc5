package dev.kvmfleetsim.hostsim.model.ipi;

/** How an EOI clears the IPI-tracking context (series patch 08; kvm-model §5.6). */
public enum EoiClearMode {
    /** v2 code: any trapped EOI on the receiver clears its whole context. */
    V2,
    /** v3 as inferred from its title: only an EOI of the recorded vector clears, and only the receiver-side fields. */
    V3_INFERRED
}
