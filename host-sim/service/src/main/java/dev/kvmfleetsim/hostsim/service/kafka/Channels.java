package dev.kvmfleetsim.hostsim.service.kafka;

import dev.kvmfleetsim.contract.Topics;

/**
 * The service's messaging channels; application.properties binds each to its {@link Topics} topic ({@code runs} to
 * {@value Topics#RUNS}, {@code events} to {@value Topics#EVENTS}, {@code results} to {@value Topics#RESULTS}).
 */
public final class Channels {
    /** Incoming run requests, consumer group {@code host-sim}; unreadable ones go to {@value Topics#DEAD_LETTER}. */
    public static final String RUNS = "runs";
    /** Outgoing event batches. */
    public static final String EVENTS = "events";
    /** Outgoing run results. */
    public static final String RESULTS = "results";

    private Channels() {}
}
