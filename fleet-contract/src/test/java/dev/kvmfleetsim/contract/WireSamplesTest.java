package dev.kvmfleetsim.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Schema version 1 on the wire, pinned by samples that the code wrote before the contract owned its records
 * (src/test/resources/wire): each is read and written back byte for byte. The samples are never regenerated; a change
 * that needs other bytes is a new schema version with samples of its own. That host-sim maps a fresh model result
 * onto the same JSON is host-sim/service's {@code ResultMapperTest}.
 */
class WireSamplesTest {

    static byte[] sample(String name) {
        try (InputStream in = WireSamplesTest.class.getResourceAsStream("/wire/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no wire sample " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void runRequestIsWrittenBackAsItWasRead() {
        byte[] sample = sample("run-request.json");
        RunRequest r = ContractJson.read(sample, RunRequest.class);
        assertThat(r.runId()).isEqualTo("run-0001");
        assertThat(r.detail()).isEqualTo(DetailLevel.SAMPLED);
        assertThat(ContractJson.writeString(r)).isEqualTo(text(sample));
    }

    @Test
    void eventBatchIsWrittenBackAsItWasRead() {
        byte[] sample = sample("event-batch.json");
        EventBatch b = ContractJson.read(sample, EventBatch.class);
        assertThat(b.exits()).hasSize(3);
        assertThat(b.yields()).hasSize(2);
        assertThat(ContractJson.writeString(b)).isEqualTo(text(sample));
    }

    @Test
    void runResultIsWrittenBackAsItWasRead() {
        byte[] sample = sample("run-result.json");
        RunResult r = ContractJson.read(sample, RunResult.class);
        assertThat(r.result().counter("spin_yield_successful")).isPositive();
        assertThat(ContractJson.writeString(r)).isEqualTo(text(sample));
    }
}
