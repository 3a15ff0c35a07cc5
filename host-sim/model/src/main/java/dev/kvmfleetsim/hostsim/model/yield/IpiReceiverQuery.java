package dev.kvmfleetsim.hostsim.model.yield;

/**
 * {@code kvm_vcpu_is_ipi_receiver(sender, candidate)} of the series' patch 06 (kvm-model §5.6). {@code
 * IpiTracker::isIpiReceiver} fits.
 */
@FunctionalInterface
public interface IpiReceiverQuery {
    /** No IPI tracking: the {@code __weak} default, always false. */
    IpiReceiverQuery NONE = (sender, candidate, nowNs) -> false;

    /**
     * @param sender the spinning vCPU
     * @param candidate the vCPU under examination
     * @param nowNs current time, ns
     * @return whether candidate is the receiver of a fresh pending unicast IPI from sender
     */
    boolean isIpiReceiver(int sender, int candidate, long nowNs);
}
