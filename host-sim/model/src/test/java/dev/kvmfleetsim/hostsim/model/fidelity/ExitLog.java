package dev.kvmfleetsim.hostsim.model.fidelity;

import dev.kvmfleetsim.hostsim.model.ModelEventSink;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import java.util.ArrayList;
import java.util.List;

/** A sink that keeps every exit, so that a test can count them per vCPU, reason and time window. */
final class ExitLog implements ModelEventSink {
    record Exit(long timeNs, int vm, int vcpu, ExitReason reason, long durationNs) {}

    final List<Exit> exits = new ArrayList<>();

    @Override
    public void onExit(long timeNs, int vm, int vcpu, ExitReason reason, long durationNs) {
        exits.add(new Exit(timeNs, vm, vcpu, reason, durationNs));
    }

    long count(int vcpu, ExitReason reason) {
        return exits.stream()
                .filter(e -> e.vcpu() == vcpu && e.reason() == reason)
                .count();
    }

    long count(int vcpu, ExitReason reason, long fromNs, long toNs) {
        return exits.stream()
                .filter(e -> e.vcpu() == vcpu && e.reason() == reason && e.timeNs() >= fromNs && e.timeNs() < toNs)
                .count();
    }

    long countOn(int vcpu) {
        return exits.stream().filter(e -> e.vcpu() == vcpu).count();
    }

    List<Long> times(int vcpu, ExitReason reason) {
        return exits.stream()
                .filter(e -> e.vcpu() == vcpu && e.reason() == reason)
                .map(Exit::timeNs)
                .toList();
    }
}
