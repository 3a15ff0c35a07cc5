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
    private boolean firstElement;

    CopyTextEncoder(CopyIn copy, int bufferBytes) {
        this.copy = copy;
        this.buf = new byte[Math.max(bufferBytes, 64)];
    }

    CopyTextEncoder field(long value) throws SQLException {
        separator();
        digits(value);
        return this;
    }

    /** Starts an array field: {@code {}. Add elements with the {@code element} methods, then {@link #endArray()}. */
    CopyTextEncoder beginArray() throws SQLException {
        separator();
        ensure(1);
        buf[pos++] = '{';
        firstElement = true;
        return this;
    }

    CopyTextEncoder element(long value) throws SQLException {
        elementSeparator();
        digits(value);
        return this;
    }

    CopyTextEncoder nullElement() throws SQLException {
        elementSeparator();
        ascii("NULL");
        return this;
    }

    /**
     * A text element, double-quoted with array escapes ({@code \\}, {@code \"}), then escaped for COPY, so any
     * text (empty, "NULL", braces, commas, tabs, non-ASCII) survives.
     */
    CopyTextEncoder element(String value) throws SQLException {
        elementSeparator();
        ensure(1);
        buf[pos++] = '"';
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            if (b == '"' || b == BACKSLASH) {
                escapedByte(BACKSLASH);
            }
            escapedByte(b);
        }
        ensure(1);
        buf[pos++] = '"';
        return this;
    }

    CopyTextEncoder endArray() throws SQLException {
        ensure(1);
        buf[pos++] = '}';
        return this;
    }

    private void elementSeparator() throws SQLException {
        if (firstElement) {
            firstElement = false;
        } else {
            ensure(1);
            buf[pos++] = ',';
        }
    }

    private void digits(long value) throws SQLException {
        if (value == Long.MIN_VALUE) {
            ascii(Long.toString(value));
            return;
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
