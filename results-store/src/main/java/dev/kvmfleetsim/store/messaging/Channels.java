package dev.kvmfleetsim.store.messaging;

import dev.kvmfleetsim.contract.Topics;

/**
 * The store's incoming channels. Each is named after its topic ({@link Topics}) with the dot replaced by a dash,
 * because a dot would split the channel's configuration keys ({@code mp.messaging.incoming.fleet-results.topic}).
 */
public final class Channels {
    /** Reads {@link Topics#RESULTS}. */
    public static final String RESULTS = "fleet-results";
    /** Reads {@link Topics#EVENTS}. */
    public static final String EVENTS = "fleet-events";

    private Channels() {}
}
