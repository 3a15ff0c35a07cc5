package dev.kvmfleetsim.dbretry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which database failures are retried, how often, and what the caller gets in the end. */
class DatabaseRetryTest {
    private static final DatabaseRetry THREE = new DatabaseRetry(3, Duration.ofMillis(1), Duration.ofMillis(2));

    @Test
    void connectionResourceAndRollbackFailuresAreTransient() {
        assertThat(DatabaseRetry.isTransient(new SQLException("connection refused", "08001")))
                .isTrue();
        assertThat(DatabaseRetry.isTransient(new SQLException("serialization failure", "40001")))
                .isTrue();
        assertThat(DatabaseRetry.isTransient(new SQLException("deadlock", "40P01")))
                .isTrue();
        assertThat(DatabaseRetry.isTransient(new SQLException("too many connections", "53300")))
                .isTrue();
        assertThat(DatabaseRetry.isTransient(new SQLException("admin shutdown", "57P01")))
                .isTrue();
        assertThat(DatabaseRetry.isTransient(new SQLException("Sorry, acquisition timeout!")))
                .isTrue();
        assertThat(DatabaseRetry.isTransient(new SQLTransientConnectionException("pool", "XX000")))
                .isTrue();
    }

    @Test
    void dataErrorsAndFailuresWithoutSqlArePermanent() {
        assertThat(DatabaseRetry.isTransient(new SQLException("invalid byte sequence", "22021")))
                .isFalse();
        assertThat(DatabaseRetry.isTransient(new SQLException("check violation", "23514")))
                .isFalse();
        assertThat(DatabaseRetry.isTransient(new SQLException("undefined table", "42P01")))
                .isFalse();
        assertThat(DatabaseRetry.isTransient(new IllegalStateException("a bug")))
                .isFalse();
    }

    @Test
    void aDriverFailureWrappedByAnOrmIsFoundInTheCauseChain() {
        RuntimeException wrapped = new RuntimeException(
                "could not execute statement", new IllegalStateException("x", new SQLException("deadlock", "40P01")));
        assertThat(DatabaseRetry.isTransient(wrapped)).isTrue();
        assertThat(DatabaseRetry.isTransient(new RuntimeException(new SQLException("dup", "23505"))))
                .isFalse();
    }

    @Test
    void transientFailuresAreRetriedUntilTheWorkSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String out = THREE.call("work", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new SQLException("connection refused", "08001");
            }
            return "done";
        });
        assertThat(out).isEqualTo("done");
        assertThat(calls).hasValue(3);
    }

    @Test
    void theLastAttemptsFailureSurfaces() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> THREE.call("work", () -> {
                    throw new SQLException("connection refused " + calls.incrementAndGet(), "08001");
                }))
                .isInstanceOf(SQLException.class)
                .hasMessage("connection refused 3");
    }

    @Test
    void aPermanentFailureIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> THREE.call("work", () -> {
                    calls.incrementAndGet();
                    throw new IllegalArgumentException("bad data", new SQLException("check violation", "23514"));
                }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void anInterruptWhileWaitingEndsTheRetriesWithTheFlagSet() {
        AtomicInteger calls = new AtomicInteger();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> THREE.call("work", () -> {
                        calls.incrementAndGet();
                        throw new SQLException("connection refused", "08001");
                    }))
                    .isInstanceOf(SQLException.class);
            assertThat(calls).hasValue(1);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void thePauseDoublesUpToItsMaximum() {
        DatabaseRetry policy = new DatabaseRetry(8, Duration.ofMillis(200), Duration.ofSeconds(1));
        assertThat(policy.pauseAfter(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.pauseAfter(2)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.pauseAfter(3)).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.pauseAfter(4)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.pauseAfter(60)).isEqualTo(Duration.ofSeconds(1));
        assertThat(new DatabaseRetry(2, Duration.ZERO, Duration.ZERO).pauseAfter(5))
                .isZero();
    }

    @Test
    void aPolicyNeedsAnAttemptAndOrderedPauses() {
        assertThatThrownBy(() -> new DatabaseRetry(0, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DatabaseRetry(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
