package dev.kvmfleetsim.dbretry;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;

/**
 * The services' one retry policy for transient database failures: run the work again after a pause that doubles from
 * {@code backoff} up to {@code maxBackoff}, at most {@code attempts} times in all, while it fails for a reason of the
 * connection or the server's state ({@link #isTransient}); any other failure, and the last attempt's, goes to the
 * caller at once. The work is expected to be one whole transaction, so running it again is safe. Immutable and
 * thread-safe; the pauses block the calling thread (a worker thread in both services).
 *
 * @param attempts tries in all, at least 1
 * @param backoff pause after the first failed try
 * @param maxBackoff longest pause
 */
public record DatabaseRetry(int attempts, Duration backoff, Duration maxBackoff) {
    private static final System.Logger LOG = System.getLogger(DatabaseRetry.class.getName());

    public DatabaseRetry {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
        }
        if (backoff.isNegative() || maxBackoff.compareTo(backoff) < 0) {
            throw new IllegalArgumentException("need 0 <= backoff <= maxBackoff, were " + backoff + ", " + maxBackoff);
        }
    }

    /** One transaction's work. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs the work until it succeeds, fails permanently, or has failed {@link #attempts} times.
     *
     * @param what the work in words, for the log
     * @return what the work returned
     * @throws E the failure that ended the retries: a permanent one, or the last attempt's (check {@link
     *     #isTransient} to tell them apart); an interrupt while waiting also ends them, with the interrupt flag set
     */
    public <T, E extends Exception> T call(String what, Work<T, E> work) throws E {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.run();
            } catch (Exception e) {
                if (attempt >= attempts || !isTransient(e)) {
                    throw e;
                }
                Duration pause = pauseAfter(attempt);
                LOG.log(
                        System.Logger.Level.WARNING,
                        "{0}: attempt {1} of {2} failed ({3}), retrying in {4} ms",
                        what,
                        attempt,
                        attempts,
                        e,
                        pause.toMillis());
                if (!sleep(pause)) {
                    throw e;
                }
            }
        }
    }

    /** The pause after the {@code failed}-th failed attempt (1, 2, ...): backoff · 2^(failed-1), at most maxBackoff. */
    public Duration pauseAfter(int failed) {
        Duration pause = backoff;
        for (int i = 1; i < failed && pause.compareTo(maxBackoff) < 0; i++) {
            pause = pause.multipliedBy(2);
        }
        return pause.compareTo(maxBackoff) <= 0 ? pause : maxBackoff;
    }

    /**
     * True for a failure of the connection or the server's state rather than of the data, found anywhere in the
     * cause chain (an ORM wraps the driver's exception): SQLSTATE classes 08 (connection exception), 40 (transaction
     * rollback: serialization failure, deadlock), 53 (insufficient resources), 57 (operator intervention: shutdown,
     * cancel), an {@link SQLTransientException}, and a pool that could not hand out a connection (an SQLException
     * without SQLSTATE). Data errors (class 22, 23, ...) are permanent, and so is a failure with no SQLException in
     * it.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientException) {
                return true;
            }
            if (t instanceof SQLException e) {
                String state = e.getSQLState();
                return state == null
                        || state.startsWith("08")
                        || state.startsWith("40")
                        || state.startsWith("53")
                        || state.startsWith("57");
            }
        }
        return false;
    }

    /** False if interrupted (the flag is set again). */
    private static boolean sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
