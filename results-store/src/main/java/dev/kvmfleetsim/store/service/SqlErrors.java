package dev.kvmfleetsim.store.service;

import java.sql.SQLException;
import java.sql.SQLTransientException;

/** Tells a database failure worth retrying from one that the same message would hit again. */
final class SqlErrors {
    private SqlErrors() {}

    /**
     * True for failures of the connection or the server's state rather than of the data: SQLSTATE classes 08
     * (connection exception), 40 (transaction rollback: serialization failure, deadlock), 53 (insufficient resources),
     * 57 (operator intervention: shutdown, cancel), and a pool that could not hand out a connection (no SQLSTATE).
     * Data errors (class 22, 23, ...) are permanent.
     */
    static boolean isTransient(SQLException e) {
        if (e instanceof SQLTransientException) {
            return true;
        }
        String state = e.getSQLState();
        if (state == null) {
            return true;
        }
        return state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57");
    }
}
