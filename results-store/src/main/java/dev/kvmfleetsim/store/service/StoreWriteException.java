package dev.kvmfleetsim.store.service;

/** A message could not be stored: a permanent database error, or a transient one that outlasted every attempt. */
public final class StoreWriteException extends RuntimeException {
    public StoreWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
