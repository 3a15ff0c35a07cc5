package dev.kvmfleetsim.store.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kvmfleetsim.store.ResultsStoreConfig;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transaction loop: transient failures are retried with backoff, permanent ones and exhaustion surface. */
class StoreServiceRetryTest {
    private final List<String> calls = new ArrayList<>();
    private int failuresLeft;
    private String failureState;

    private StoreService service(int attempts) {
        AgroalDataSource ds = (AgroalDataSource) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {AgroalDataSource.class}, (p, m, a) -> {
                    if (!m.getName().equals("getConnection")) {
                        throw new UnsupportedOperationException(m.getName());
                    }
                    if (failuresLeft > 0) {
                        failuresLeft--;
                        calls.add("refused");
                        throw new SQLException("connection refused", failureState);
                    }
                    return connection();
                });
        ResultsStoreConfig.Write write = new ResultsStoreConfig.Write() {
            @Override
            public int attempts() {
                return attempts;
            }

            @Override
            public Duration backoff() {
                return Duration.ofMillis(1);
            }

            @Override
            public Duration maxBackoff() {
                return Duration.ofMillis(2);
            }

            @Override
            public int copyBufferBytes() {
                return 1024;
            }
        };
        ResultsStoreConfig config = new ResultsStoreConfig() {
            @Override
            public Instance instance() {
                return () -> "test";
            }

            @Override
            public Write write() {
                return write;
            }
        };
        return new StoreService(ds, config, new SimpleMeterRegistry());
    }

    private Connection connection() {
        return (Connection)
                Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                    calls.add(m.getName());
                    return null;
                });
    }

    @Test
    void transientFailuresAreRetriedUntilTheWorkCommits() {
        failuresLeft = 2;
        failureState = "08001";
        String out = service(5).inTransaction("work", c -> "done");
        assertThat(out).isEqualTo("done");
        assertThat(calls).containsExactly("refused", "refused", "setAutoCommit", "commit", "close");
    }

    @Test
    void theLastAttemptsFailureSurfaces() {
        failuresLeft = 10;
        failureState = "08001";
        assertThatThrownBy(() -> service(3).inTransaction("work", c -> "done"))
                .isInstanceOf(StoreWriteException.class)
                .hasMessage("work: database unavailable after 3 attempts: connection refused");
        assertThat(calls).hasSize(3);
    }

    @Test
    void aPermanentFailureIsNotRetriedAndRollsBack() {
        assertThatThrownBy(() -> service(5).inTransaction("work", c -> {
                    throw new SQLException("check violation", "23514");
                }))
                .isInstanceOf(StoreWriteException.class)
                .hasMessage("work: refused by the database (SQLSTATE 23514): check violation");
        assertThat(calls).containsExactly("setAutoCommit", "rollback", "close");
    }
}
