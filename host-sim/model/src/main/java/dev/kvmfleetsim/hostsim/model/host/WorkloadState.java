package dev.kvmfleetsim.hostsim.model.host;

/** Where one vCPU is in the guest workload's loop ({@link GuestWorkload}, kvm-model §7), and what it waits for. */
final class WorkloadState {
    /** The steps of one iteration of the loop. */
    enum Step {
        BEGIN,
        USER,
        LOCK,
        CRITICAL,
        UNLOCK,
        CALL,
        KERNEL,
        BLOCK,
        HANDOFF,
        DONE
    }

    Step step = Step.BEGIN;
    /** The spinlock wanted or held, or -1. */
    int spinLock = -1;
    /** Call-function acks still awaited ({@code csd_lock_wait}). */
    int pendingAcks;
    /** Senders whose call-function data this vCPU has yet to run (a bitmap over vCPU indices). */
    long[] csdFrom = new long[1];
    /** Items handed on by the previous pipeline stage and not yet taken. */
    int items;

    /** The task sleeps (Step.BLOCK) until its wake-up; {@link #woken} once that came. */
    boolean sleeping;

    boolean woken;
    boolean waitingForItem;
    int handoffCursor;
    long iterationStartNs;
}
