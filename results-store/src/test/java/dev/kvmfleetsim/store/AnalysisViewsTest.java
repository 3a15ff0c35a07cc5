package dev.kvmfleetsim.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kvmfleetsim.store.service.QueryService;
import dev.kvmfleetsim.store.service.SeriesGain;
import dev.kvmfleetsim.store.service.StoreService;
import dev.kvmfleetsim.testsupport.KafkaTestResource;
import dev.kvmfleetsim.testsupport.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The analysis views over a hand-made sweep whose gains are known exactly. */
@QuarkusTest
@WithTestResource(
        value = KafkaTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = KafkaTestResource.TOPICS_ARG, value = StoreTestProfile.TOPICS))
@WithTestResource(
        value = PostgresTestResource.class,
        parallel = true,
        initArgs = @ResourceArg(name = PostgresTestResource.DATABASE_ARG, value = StoreTestProfile.DATABASE))
class AnalysisViewsTest {
    static final String SWEEP = "views-sweep";

    @Inject
    StoreService store;

    @Inject
    QueryService queries;

    @Inject
    AgroalDataSource ds;

    /**
     * Stores (idempotently, so once per test is harmless) 3 seeds x tracking on/off at overcommit 2 (16 pCPUs) and 4 (8
     * pCPUs), plus one unpaired run. Off: 1000 iterations/s. On at overcommit 2: 1000 + 100 * seed (gains 10, 20, 30 %);
     * at overcommit 4: 1100 + seed (gains 10.1, 10.2, 10.3 %). Two runs with the series only partly on (IPI tracking
     * without the lag credit, and the reverse) share seed 1 at overcommit 2 with far-off throughputs: they are in
     * neither arm, so they change no gain.
     */
    static void storeSweep(StoreService store) {
        for (long seed = 1; seed <= 3; seed++) {
            store.storeResult(StoreFixtures.made(id(seed, 16, false), SWEEP, seed, 16, 50_000_000, false, 1000));
            store.storeResult(
                    StoreFixtures.made(id(seed, 16, true), SWEEP, seed, 16, 50_000_000, true, 1000 + 100.0 * seed));
            store.storeResult(StoreFixtures.made(id(seed, 8, false), SWEEP, seed, 8, 50_000_000, false, 1000));
            store.storeResult(StoreFixtures.made(id(seed, 8, true), SWEEP, seed, 8, 50_000_000, true, 1100.0 + seed));
        }
        store.storeResult(StoreFixtures.made("views-unpaired", SWEEP, 4, 16, 50_000_000, true, 5000));
        store.storeResult(StoreFixtures.made("views-partial-on", SWEEP, 1, 16, 50_000_000, true, false, 90_000));
        store.storeResult(StoreFixtures.made("views-partial-off", SWEEP, 1, 16, 50_000_000, false, true, 10));
    }

    static String id(long seed, int pcpus, boolean tracking) {
        return "views-s" + seed + "-p" + pcpus + (tracking ? "-on" : "-off");
    }

    @BeforeEach
    void storeOnce() {
        storeSweep(store);
    }

    @Test
    void seriesGainPairsRunsBySeedWithAStudentTInterval() {
        List<SeriesGain> rows = queries.seriesGain(SWEEP);
        assertThat(rows).hasSize(2);
        SeriesGain oc2 = rows.get(0);
        assertThat(oc2.overcommit()).isEqualByComparingTo(new BigDecimal("2"));
        assertThat(oc2.ipiWindowNs()).isEqualTo(50_000_000L);
        assertThat(oc2.workloadMix()).isEqualTo("dedup_like");
        assertThat(oc2.nPairs()).isEqualTo(3);
        assertThat(oc2.meanIpsOff()).isCloseTo(1000, within(1e-9));
        assertThat(oc2.meanIpsOn()).isCloseTo(1200, within(1e-9));
        assertThat(oc2.meanGainPct()).isCloseTo(20, within(1e-9));
        assertThat(oc2.sdGainPct()).isCloseTo(10, within(1e-9));
        double half = 4.303 * 10 / Math.sqrt(3);
        assertThat(oc2.ci95LowPct()).isCloseTo(20 - half, within(1e-9));
        assertThat(oc2.ci95HighPct()).isCloseTo(20 + half, within(1e-9));
        assertThat(oc2.significant()).isFalse();

        SeriesGain oc4 = rows.get(1);
        assertThat(oc4.overcommit()).isEqualByComparingTo(new BigDecimal("4"));
        assertThat(oc4.nPairs()).isEqualTo(3);
        assertThat(oc4.meanGainPct()).isCloseTo(10.2, within(1e-9));
        assertThat(oc4.ci95LowPct()).isCloseTo(10.2 - 4.303 * 0.1 / Math.sqrt(3), within(1e-9));
        assertThat(oc4.significant()).isTrue();
        assertThat(Db.single(
                        ds, "SELECT count(*) FROM run_result WHERE sweep_id = ? AND run_id LIKE '%partial%'", SWEEP))
                .isEqualTo(2);
    }

    @Test
    void tQuantilesComeFromTheTableAndWidenBetweenRows() {
        assertThat(Db.rows(
                                ds,
                                "SELECT t_quantile(1)::text, t_quantile(2)::text, t_quantile(35)::text,"
                                        + " t_quantile(5000)::text, t_quantile(0)")
                        .get(0))
                .containsExactly("12.706", "4.303", "2.042", "1.962", null);
    }

    @Test
    void exitsPerSecondDivideSamplesByMeasuredSeconds() {
        List<List<Object>> rows = Db.rows(
                ds,
                "SELECT reason, samples, exits_per_sec FROM v_exits_per_second WHERE sweep_id = ? AND run_id = ?"
                        + " ORDER BY reason",
                SWEEP,
                id(1, 16, true));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsExactly("MSR_WRITE", 4000L, 4000.0);
        assertThat(rows.get(1)).containsExactly("PAUSE_INSTRUCTION", 8000L, 8000.0);
    }

    @Test
    void yieldsByCauseTurnTheSpinYieldCountersIntoColumns() {
        List<Object> on = Db.rows(
                        ds,
                        "SELECT ple_exits, ipi_receiver, pending_interrupt, plain, relaxed, esrch, ple_exits_per_sec"
                                + " FROM v_yields_by_cause WHERE run_id = ?",
                        id(2, 8, true))
                .get(0);
        assertThat(on).containsExactly(8000L, 3000L, 1000L, 1500L, 500L, 0L, 8000.0);
        List<Object> off = Db.rows(
                        ds, "SELECT ipi_receiver, plain FROM v_yields_by_cause WHERE run_id = ?", id(2, 8, false))
                .get(0);
        assertThat(off).containsExactly(0L, 6000L);
    }

    @Test
    void theFirstResultOfARunWins() {
        var again = StoreFixtures.made(id(1, 16, true), SWEEP, 1, 16, 50_000_000, true, 99_999);
        assertThat(store.storeResult(again)).isFalse();
        assertThat(Db.single(
                        ds, "SELECT iterations_per_sec::bigint FROM workload_metric WHERE run_id = ?", id(1, 16, true)))
                .isEqualTo(1100);
    }
}
