package dev.kvmfleetsim.hostsim.model.engine;

import java.util.Arrays;

/**
 * The future-event list of a discrete-event simulation: events ordered by (time, insertion sequence), so that events
 * at the same nanosecond run in the order they were scheduled and a run is reproducible.
 *
 * <p>Each event is a kind, a target index and a {@code long} argument, kept in parallel primitive arrays of a binary
 * heap: scheduling and polling allocate nothing once the arrays have grown to the working size. Not thread-safe.
 */
public final class EventQueue {
    private long[] time;
    private long[] seq;
    private int[] kind;
    private int[] target;
    private long[] arg;
    private int size;
    private long nextSeq;

    private long polledTime;
    private int polledKind;
    private int polledTarget;
    private long polledArg;

    /** Creates a queue with room for {@code initialCapacity} events before it grows. */
    public EventQueue(int initialCapacity) {
        int n = Math.max(16, initialCapacity);
        time = new long[n];
        seq = new long[n];
        kind = new int[n];
        target = new int[n];
        arg = new long[n];
    }

    /**
     * Schedules an event.
     *
     * @param atNs simulated time in ns
     * @param eventKind what happens (the owner's constant)
     * @param eventTarget which object it happens to (an index in the owner's tables)
     * @param eventArg a free argument (a vector, an epoch, ...)
     */
    public void schedule(long atNs, int eventKind, int eventTarget, long eventArg) {
        if (size == time.length) {
            grow();
        }
        long s = nextSeq++;
        int i = size++;
        // Sift the hole up, then write once.
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(atNs, s, time[parent], seq[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        time[i] = atNs;
        seq[i] = s;
        kind[i] = eventKind;
        target[i] = eventTarget;
        arg[i] = eventArg;
    }

    /**
     * Removes the earliest event and makes it readable through {@link #polledTime()} and friends.
     *
     * @return false if the queue was empty
     */
    public boolean poll() {
        if (size == 0) {
            return false;
        }
        polledTime = time[0];
        polledKind = kind[0];
        polledTarget = target[0];
        polledArg = arg[0];
        int last = --size;
        if (last > 0) {
            siftDownFromRoot(last);
        }
        return true;
    }

    private void siftDownFromRoot(int last) {
        long t = time[last];
        long s = seq[last];
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && less(time[right], seq[right], time[child], seq[child])) {
                child = right;
            }
            if (!less(time[child], seq[child], t, s)) {
                break;
            }
            move(child, i);
            i = child;
        }
        time[i] = t;
        seq[i] = s;
        kind[i] = kind[last];
        target[i] = target[last];
        arg[i] = arg[last];
    }

    private static boolean less(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    private void move(int from, int to) {
        time[to] = time[from];
        seq[to] = seq[from];
        kind[to] = kind[from];
        target[to] = target[from];
        arg[to] = arg[from];
    }

    private void grow() {
        int n = time.length * 2;
        time = Arrays.copyOf(time, n);
        seq = Arrays.copyOf(seq, n);
        kind = Arrays.copyOf(kind, n);
        target = Arrays.copyOf(target, n);
        arg = Arrays.copyOf(arg, n);
    }

    /** Time of the earliest queued event; only valid when {@link #size()} is positive. */
    public long peekTime() {
        return time[0];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public long polledTime() {
        return polledTime;
    }

    public int polledKind() {
        return polledKind;
    }

    public int polledTarget() {
        return polledTarget;
    }

    public long polledArg() {
        return polledArg;
    }
}
