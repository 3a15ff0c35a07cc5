package dev.kvmfleetsim.store;

import dev.kvmfleetsim.contract.Topics;

/**
 * The one set of test resources every {@code @QuarkusTest} here declares (identical declarations share one
 * application start): a real Kafka broker with the store's topics and a real PostgreSQL database.
 */
final class StoreTestProfile {
    /** Init arg of KafkaTestResource: the topics, created before the application starts. */
    static final String TOPICS = Topics.RESULTS + ":1," + Topics.EVENTS + ":1," + Topics.DEAD_LETTER + ":1";

    static final String DATABASE = "results_store";

    private StoreTestProfile() {}
}
