package dev.kvmfleetsim.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming codec of event batches writes and reads exactly what the data-binding mapper does. */
class EventBatchJsonTest {
    private static final EventBatchJson CODEC =
            new EventBatchJson(ContractJson.mapper().getFactory());

    private static EventBatch batch(long seed, DetailLevel detail, int exits, int yields) {
        Random r = new Random(seed);
        String[] names = {"HLT", "MSR_WRITE", "", "tab\tquote\"back\\slash", "é中\u0001", "NONE"};
        List<TraceEvent.Exit> ex = new ArrayList<>();
        for (int i = 0; i < exits; i++) {
            ex.add(new TraceEvent.Exit(
                    r.nextLong(), r.nextInt(), r.nextInt(), names[r.nextInt(names.length)], r.nextLong()));
        }
        List<TraceEvent.Yield> ys = new ArrayList<>();
        for (int i = 0; i < yields; i++) {
            ys.add(new TraceEvent.Yield(
                    i == 0 ? Long.MIN_VALUE : r.nextLong(),
                    i == 0 ? Integer.MAX_VALUE : r.nextInt(),
                    r.nextInt(),
                    -1,
                    names[r.nextInt(names.length)],
                    names[r.nextInt(names.length)],
                    i % 2 == 0 ? null : names[r.nextInt(names.length)])); // null: an older host-sim's batch
        }
        return new EventBatch(
                ContractVersion.CURRENT,
                "run-" + seed + "\"x",
                r.nextInt(),
                Long.MAX_VALUE - seed,
                detail,
                ex,
                ys,
                seed % 2 == 0);
    }

    @Test
    void writesTheMappersBytesAndReadsThemBack() throws Exception {
        for (DetailLevel detail : DetailLevel.values()) {
            for (int[] size : new int[][] {{0, 0}, {1, 0}, {0, 1}, {300, 100}}) {
                EventBatch b = batch(size[0] * 31L + size[1] + detail.ordinal(), detail, size[0], size[1]);
                byte[] mapper = ContractJson.mapper().writeValueAsBytes(b);
                assertThat(new String(CODEC.write(b), StandardCharsets.UTF_8))
                        .isEqualTo(new String(mapper, StandardCharsets.UTF_8));
                assertThat(CODEC.tryRead(mapper)).isEqualTo(b);
                assertThat(ContractJson.read(ContractJson.write(b), EventBatch.class))
                        .isEqualTo(b);
            }
        }
    }

    @Test
    void unknownFieldsAnywhereAreSkippedAsTheMapperSkipsThem() throws Exception {
        EventBatch b = batch(5, DetailLevel.FULL, 3, 2);
        ObjectNode tree = (ObjectNode) ContractJson.mapper().readTree(ContractJson.write(b));
        tree.putObject("future").putArray("nested").addObject().put("x", 1);
        ((ObjectNode) tree.get("exits").get(0)).putArray("future_list").add(1).add("two");
        ((ObjectNode) tree.get("yields").get(1)).put("future_text", "y");
        byte[] json = ContractJson.mapper().writeValueAsBytes(tree);
        assertThat(CODEC.tryRead(json)).isEqualTo(b);
        assertThat(ContractJson.read(json, EventBatch.class)).isEqualTo(b);
    }

    @Test
    void anythingButAWellTypedCompleteCurrentBatchLeavesTheFastPath() {
        String ok = "{\"schema_version\":1,\"run_id\":\"r\",\"attempt\":1,\"sequence\":0,\"detail\":\"full\","
                + "\"exits\":[{\"time_ns\":1,\"vm\":0,\"vcpu\":0,\"reason\":\"HLT\",\"duration_ns\":2}],"
                + "\"yields\":[],\"last\":true}";
        assertThat(CODEC.tryRead(bytes(ok))).isNotNull();
        for (String bad : List.of(
                ok.replace("\"schema_version\":1", "\"schema_version\":2"),
                ok.replace("\"schema_version\":1", "\"schema_version\":\"1\""),
                ok.replace("\"schema_version\":1,", ""),
                ok.replace("\"vm\":0", "\"vm\":\"0\""),
                ok.replace("\"vm\":0", "\"vm\":0.5"),
                ok.replace("\"vm\":0", "\"vm\":3000000000"),
                ok.replace("\"vm\":0,", ""),
                ok.replace("\"reason\":\"HLT\"", "\"reason\":null"),
                ok.replace("\"detail\":\"full\"", "\"detail\":\"FULL\""),
                ok.replace("\"yields\":[]", "\"yields\":null"),
                ok.replace("\"last\":true", "\"last\":\"true\""),
                ok + " {}",
                "[]",
                "not json")) {
            assertThat(CODEC.tryRead(bytes(bad))).as(bad).isNull();
        }
        // The checked path still decides as before: an upper-case detail binds, another version is refused by name.
        assertThat(ContractJson.read(bytes(ok.replace("\"full\"", "\"FULL\"")), EventBatch.class)
                        .detail())
                .isEqualTo(DetailLevel.FULL);
        assertThatThrownBy(() -> ContractJson.read(
                        bytes(ok.replace("\"schema_version\":1", "\"schema_version\":2")), EventBatch.class))
                .isInstanceOf(UnreadableMessageException.class)
                .hasMessageContaining("schema_version: 2 is not supported");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
