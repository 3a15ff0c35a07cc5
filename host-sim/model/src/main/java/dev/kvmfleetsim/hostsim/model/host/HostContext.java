package dev.kvmfleetsim.hostsim.model.host;

import dev.kvmfleetsim.hostsim.model.ModelEventSink;
import dev.kvmfleetsim.hostsim.model.engine.EventQueue;
import dev.kvmfleetsim.hostsim.model.engine.RandomStreams;
import dev.kvmfleetsim.hostsim.model.exit.ExitReason;
import dev.kvmfleetsim.hostsim.model.scenario.CostDist;
import dev.kvmfleetsim.hostsim.model.scenario.ExitCosts;
import dev.kvmfleetsim.hostsim.model.scenario.GuestConfig;
import dev.kvmfleetsim.hostsim.model.scenario.KvmParams;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.stats.KvmStat;

/**
 * What every part of one host shares and nothing else: the clock, the event queue, whether statistics are recorded
 * (after the warm-up), the event sink, the scenario's switches, and the statistics themselves. A time or an origin that
 * one call needs is an argument of that call, never a field here.
 */
final class HostContext {
    final Scenario scenario;
    final KvmParams kvm;
    final ExitCosts costs;
    final GuestConfig guest;
    /** {@code enable_apicv}, IPIv active, x2APIC mode: read on every delivery, so kept as plain fields. */
    final boolean apicv;

    final boolean ipiv;
    final boolean x2apic;
    final EventQueue queue;
    final ModelEventSink sink;
    final HostStats stats;

    /** The simulated time of the event being handled. */
    long now;
    /** Statistics are recorded (the warm-up is over). */
    boolean recording;

    HostContext(Scenario scenario, ModelEventSink sink, int vcpus) {
        this.scenario = scenario;
        this.kvm = scenario.kvm();
        this.costs = scenario.costs();
        this.guest = scenario.guest();
        this.apicv = kvm.enableApicv();
        this.ipiv = kvm.ipivActive();
        this.x2apic = kvm.x2apic();
        this.sink = sink;
        this.queue = new EventQueue(vcpus * 8);
        this.stats = new HostStats(scenario.vms().count());
    }

    /** Counts one event of a VM's KVM statistic (after the warm-up). */
    void count(Vm vm, KvmStat stat) {
        if (recording) {
            vm.counters[stat.ordinal()]++;
        }
    }

    /** A handling time: the floor plus an exponential tail with the right mean (kvm-model §3.3). */
    static long sample(Vcpu v, CostDist cost) {
        long tail = cost.meanNs() - cost.minNs();
        return tail <= 0 ? cost.minNs() : cost.minNs() + RandomStreams.exponentialNs(v.random, tail);
    }

    /** Records one VM exit that started at {@code atNs} and took {@code durationNs}, as {@code perf kvm stat} does. */
    void recordExit(Vcpu v, ExitReason reason, long atNs, long durationNs) {
        if (!recording) {
            return;
        }
        Vm vm = v.vm;
        vm.exitStats.record(reason, durationNs);
        v.exitCounts[reason.ordinal()]++;
        count(vm, KvmStat.EXITS);
        if (reason == ExitReason.EXTERNAL_INTERRUPT) {
            count(vm, KvmStat.IRQ_EXITS);
        } else if (reason == ExitReason.INTERRUPT_WINDOW) {
            count(vm, KvmStat.IRQ_WINDOW_EXITS);
        } else if (reason == ExitReason.HLT) {
            count(vm, KvmStat.HALT_EXITS);
        }
        sink.onExit(atNs, vm.index, v.index, reason, durationNs);
    }

    /** Schedules an event of {@code v} that is valid only in its current epoch (segment end, PLE, exit end, ...). */
    void scheduleEpochEvent(Vcpu v, long atNs, int kind) {
        long h = queue.schedule(atNs, kind, v.id, v.epoch);
        if (!queue.isPending(v.epochEvent)) {
            v.epochEvent = h;
        } else {
            v.epochEventOther = h;
        }
    }

    /** Makes every event scheduled in {@code v}'s current epoch stale, and takes them out of the queue. */
    void bumpEpoch(Vcpu v) {
        v.epoch++;
        if (v.epochEvent >= 0) {
            queue.cancel(v.epochEvent);
            v.epochEvent = -1;
        }
        if (v.epochEventOther >= 0) {
            queue.cancel(v.epochEventOther);
            v.epochEventOther = -1;
        }
    }
}
