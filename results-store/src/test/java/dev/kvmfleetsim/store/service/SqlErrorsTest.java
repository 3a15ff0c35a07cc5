package dev.kvmfleetsim.store.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** Which database failures the consumers retry. */
class SqlErrorsTest {

    @Test
    void connectionResourceAndRollbackFailuresAreTransient() {
        assertThat(SqlErrors.isTransient(new SQLException("connection refused", "08001")))
                .isTrue();
        assertThat(SqlErrors.isTransient(new SQLException("serialization failure", "40001")))
                .isTrue();
        assertThat(SqlErrors.isTransient(new SQLException("deadlock", "40P01"))).isTrue();
        assertThat(SqlErrors.isTransient(new SQLException("too many connections", "53300")))
                .isTrue();
        assertThat(SqlErrors.isTransient(new SQLException("admin shutdown", "57P01")))
                .isTrue();
        assertThat(SqlErrors.isTransient(new SQLException("Sorry, acquisition timeout!")))
                .isTrue();
        assertThat(SqlErrors.isTransient(new SQLTransientConnectionException("pool", "XX000")))
                .isTrue();
    }

    @Test
    void dataErrorsArePermanent() {
        assertThat(SqlErrors.isTransient(new SQLException("invalid byte sequence", "22021")))
                .isFalse();
        assertThat(SqlErrors.isTransient(new SQLException("check violation", "23514")))
                .isFalse();
        assertThat(SqlErrors.isTransient(new SQLException("undefined table", "42P01")))
                .isFalse();
    }
}
