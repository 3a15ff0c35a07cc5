package dev.kvmfleetsim.hostsim.model.host;

/** What the guest code on a vCPU is doing when no interrupt handler runs (kvm-model §7). */
enum GuestActivity {
    /** Work between actions (IPI sends, going idle, the workload's next step). */
    WORK,
    /** The idle loop (HLT, or waiting for an item from the previous pipeline stage). */
    IDLE,
    /** A CPL0 PAUSE loop waiting for a lock or for call-function acks. */
    SPIN
}
