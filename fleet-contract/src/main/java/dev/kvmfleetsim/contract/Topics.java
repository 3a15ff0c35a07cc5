package dev.kvmfleetsim.contract;

/** The Kafka topics of the fleet pipeline (architecture §4); channel names in the services match these. */
public final class Topics {
    /** Run requests, key = run id; one consumer group of host-sims shares them. */
    public static final String RUNS = "fleet.runs";
    /** Event batches (exits and yields), key = run id. */
    public static final String EVENTS = "fleet.events";
    /** One result per run attempt, key = run id. */
    public static final String RESULTS = "fleet.results";
    /** Records no consumer could read, with the reason in a header. */
    public static final String DEAD_LETTER = "fleet.dead-letter";

    private Topics() {}
}
