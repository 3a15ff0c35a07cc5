package dev.kvmfleetsim.contract;

/** A message that cannot be read: not JSON, the wrong shape, or another schema version. Goes to the dead letters. */
public final class UnreadableMessageException extends RuntimeException {
    public UnreadableMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
