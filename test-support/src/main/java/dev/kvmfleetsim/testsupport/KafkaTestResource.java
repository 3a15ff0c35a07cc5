package dev.kvmfleetsim.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;

/** A real single-node KRaft Kafka broker in this JVM (Kafka's own test kit), for Quarkus tests and plain JUnit. */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /** Init arg: partitions of auto-created topics (default 1). */
    public static final String PARTITIONS_ARG = "partitions";

    /** Init arg: topics to create before the application starts, as {@code name:partitions,name:partitions}. */
    public static final String TOPICS_ARG = "topics";

    private static volatile KafkaClusterTestKit running;

    private int partitions = 1;
    private String topics = "";
    private KafkaClusterTestKit cluster;

    @Override
    public void init(Map<String, String> initArgs) {
        partitions = Integer.parseInt(initArgs.getOrDefault(PARTITIONS_ARG, "1"));
        topics = initArgs.getOrDefault(TOPICS_ARG, "");
    }

    @Override
    public synchronized Map<String, String> start() {
        quietBrokerLogging();
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("auto.create.topics.enable", "true")
                    .setConfigProp("num.partitions", String.valueOf(partitions))
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            restoreInterrupt(e);
            stop();
            throw new IllegalStateException("Could not start the in-process Kafka broker", e);
        }
        running = cluster;
        for (String topic : topics.split(",")) {
            if (!topic.isBlank()) {
                String[] nameAndPartitions = topic.trim().split(":");
                createTopic(nameAndPartitions[0], Integer.parseInt(nameAndPartitions[1]));
            }
        }
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", cluster.bootstrapServers());
        config.put("quarkus.kafka.devservices.enabled", "false");
        return config;
    }

    @Override
    public synchronized void stop() {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop the in-process Kafka broker", e);
        } finally {
            if (running == cluster) {
                running = null;
            }
            cluster = null;
        }
    }

    /** Bootstrap servers ({@code localhost:port}) of the broker started last; fails if none is running. */
    public static String bootstrapServers() {
        KafkaClusterTestKit current = running;
        if (current == null) {
            throw new IllegalStateException("No KafkaTestResource is running");
        }
        return current.bootstrapServers();
    }

    /** Creates a topic with the given number of partitions (replication factor 1) on the running broker. */
    public static void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            restoreInterrupt(e);
            throw new IllegalStateException("Could not create topic " + name, e);
        }
    }

    /** The broker logs hundreds of INFO lines per start; categories with an explicit level are left alone. */
    private static void quietBrokerLogging() {
        for (String category : List.of("kafka", "org.apache.kafka", "state.change.logger")) {
            Logger logger = LogContext.getLogContext().getLogger(category);
            if (logger.getLevel() == null) {
                logger.setLevel(Level.WARNING);
            }
        }
    }

    private static void restoreInterrupt(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
    }
}
