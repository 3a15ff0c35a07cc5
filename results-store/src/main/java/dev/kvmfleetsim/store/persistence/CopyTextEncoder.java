package dev.kvmfleetsim.store.persistence;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.postgresql.copy.CopyIn;

/**
 * Encodes rows in PostgreSQL's COPY text format (tab-separated, {@code \N} for NULL, backslash escapes) into a
 * reusable buffer and streams it to a {@link CopyIn} whenever the buffer fills. ASCII strings and numbers are encoded
 * without allocating. Not thread-safe: one encoder per COPY.
 */
final class CopyTextEncoder {
    private static final byte TAB = '\t';
    private static final byte NEWLINE = '\n';
    private static final byte BACKSLASH = '\\';

    private final CopyIn copy;
    private final byte[] buf;
    private int pos;
    private boolean rowStart = true;

    CopyTextEncoder(CopyIn copy, int bufferBytes) {
        this.copy = copy;
        this.buf = new byte[Math.max(bufferBytes, 64)];
    }

    CopyTextEncoder field(long value) throws SQLException {
        separator();
        if (value == Long.MIN_VALUE) {
            ascii(Long.toString(value));
            return this;
        }
        ensure(20);
        if (value < 0) {
            buf[pos++] = '-';
            value = -value;
        }
        int start = pos;
        do {
            buf[pos++] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        for (int i = start, j = pos - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    CopyTextEncoder field(String value) throws SQLException {
        separator();
        if (value == null) {
            ascii("\\N");
            return this;
        }
        int n = value.length();
        ensure(2 * n);
        if (pos + 2 * n > buf.length) {
            escaped(value.getBytes(StandardCharsets.UTF_8));
            return this;
        }
        // One pass for ASCII (the common case): at most two bytes per character, room ensured above.
        int start = pos;
        int p = pos;
        for (int i = 0; i < n; i++) {
            char ch = value.charAt(i);
            if (ch >= 0x80) {
                pos = start;
                escaped(value.getBytes(StandardCharsets.UTF_8));
                return this;
            }
            switch (ch) {
                case '\\' -> {
                    buf[p++] = BACKSLASH;
                    buf[p++] = BACKSLASH;
                }
                case '\t' -> {
                    buf[p++] = BACKSLASH;
                    buf[p++] = 't';
                }
                case '\n' -> {
                    buf[p++] = BACKSLASH;
                    buf[p++] = 'n';
                }
                case '\r' -> {
                    buf[p++] = BACKSLASH;
                    buf[p++] = 'r';
                }
                default -> buf[p++] = (byte) ch;
            }
        }
        pos = p;
        return this;
    }

    /**
     * The fields every row of one batch starts with, encoded once: {@code batchId}, {@code runId}, {@code attempt},
     * {@code sequence}, tab-separated, without a trailing tab. Write it with {@link #prefix(byte[])}.
     */
    static byte[] rowPrefix(long batchId, String runId, int attempt, long sequence) {
        StringBuilder text =
                new StringBuilder(runId.length() + 48).append(batchId).append('\t');
        for (int i = 0; i < runId.length(); i++) {
            char ch = runId.charAt(i);
            switch (ch) {
                case '\\' -> text.append("\\\\");
                case '\t' -> text.append("\\t");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                default -> text.append(ch);
            }
        }
        text.append('\t').append(attempt).append('\t').append(sequence);
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Starts a row with fields encoded by {@link #rowPrefix}. */
    CopyTextEncoder prefix(byte[] fields) throws SQLException {
        if (!rowStart) {
            throw new IllegalStateException("a prefix starts a row");
        }
        rowStart = false;
        ensure(fields.length);
        if (fields.length > buf.length) {
            copy.writeToCopy(fields, 0, fields.length);
        } else {
            System.arraycopy(fields, 0, buf, pos, fields.length);
            pos += fields.length;
        }
        return this;
    }

    CopyTextEncoder nullField() throws SQLException {
        separator();
        ascii("\\N");
        return this;
    }

    void endRow() throws SQLException {
        ensure(1);
        buf[pos++] = NEWLINE;
        rowStart = true;
    }

    /** Sends what is buffered; call before {@link CopyIn#endCopy()}. */
    void flush() throws SQLException {
        if (pos > 0) {
            copy.writeToCopy(buf, 0, pos);
            pos = 0;
        }
    }

    private void separator() throws SQLException {
        if (rowStart) {
            rowStart = false;
        } else {
            ensure(1);
            buf[pos++] = TAB;
        }
    }

    private void ascii(String s) throws SQLException {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[pos++] = (byte) s.charAt(i);
        }
    }

    private void escaped(byte[] bytes) throws SQLException {
        for (byte b : bytes) {
            escapedByte(b);
        }
    }

    // UTF-8 continuation bytes are >= 0x80, so escaping byte by byte never splits a character.
    private void escapedByte(byte b) throws SQLException {
        ensure(2);
        switch (b) {
            case BACKSLASH -> {
                buf[pos++] = BACKSLASH;
                buf[pos++] = BACKSLASH;
            }
            case TAB -> {
                buf[pos++] = BACKSLASH;
                buf[pos++] = 't';
            }
            case NEWLINE -> {
                buf[pos++] = BACKSLASH;
                buf[pos++] = 'n';
            }
            case '\r' -> {
                buf[pos++] = BACKSLASH;
                buf[pos++] = 'r';
            }
            default -> buf[pos++] = b;
        }
    }

    private void ensure(int bytes) throws SQLException {
        if (pos + bytes > buf.length) {
            flush();
        }
    }
}
