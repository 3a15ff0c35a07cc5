package dev.kvmfleetsim.hostsim.model.testing;

import dev.kvmfleetsim.hostsim.model.ModelEventSink;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import java.util.ArrayList;
import java.util.List;

/** A sink that keeps every exit, so that a test can count them per vCPU, reason and time window. */
public final class ExitLog implements ModelEventSink {
    public record Exit(long timeNs, int vm, int vcpu, ExitReason reason, long durationNs) {}

    public final List<Exit> exits = new ArrayList<>();

    @Override
    public void onExit(long timeNs, int vm, int vcpu, ExitReason reason, long durationNs) {
        exits.add(new Exit(timeNs, vm, vcpu, reason, durationNs));
    }

    public long count(int vcpu, ExitReason reason) {
        return exits.stream()
                .filter(e -> e.vcpu() == vcpu && e.reason() == reason)
                .count();
    }

    public long count(int vcpu, ExitReason reason, long fromNs, long toNs) {
        return exits.stream()
                .filter(e -> e.vcpu() == vcpu && e.reason() == reason && e.timeNs() >= fromNs && e.timeNs() < toNs)
                .count();
    }

    public long countOn(int vcpu) {
        return exits.stream().filter(e -> e.vcpu() == vcpu).count();
    }

    /** The reasons of one vCPU's exits, in the order they were recorded. */
    public List<ExitReason> reasons(int vcpu) {
        return exits.stream().filter(e -> e.vcpu() == vcpu).map(Exit::reason).toList();
    }

    public void clear() {
        exits.clear();
    }

    public List<Long> times(int vcpu, ExitReason reason) {
        return exits.stream()
                .filter(e -> e.vcpu() == vcpu && e.reason() == reason)
                .map(Exit::timeNs)
                .toList();
    }
}
