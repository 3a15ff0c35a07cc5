package dev.kvmfleetsim.hostsim.model.scenario;

/**
 * The handling time of one kind of VM exit: a floor plus an exponential tail, so that the mean and the minimum match
 * what {@code perf kvm stat} reports (kvm-model §3.3).
 *
 * @param minNs the shortest handling time
 * @param meanNs the mean handling time, at least {@code minNs}
 */
public record CostDist(long minNs, long meanNs) {}
