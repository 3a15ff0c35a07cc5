package dev.kvmfleetsim.hostsim.model.engine;

import java.util.Arrays;

/**
 * The future-event list of a discrete-event simulation: events ordered by (time, insertion sequence), so that events
 * at the same nanosecond run in the order they were scheduled and a run is reproducible.
 *
 * <p>Each event is a kind, a target index and a {@code long} argument. The payload stays in slot arrays; a 4-ary heap
 * orders (time, sequence, slot) triples, so a sift moves three values per level over half the levels of a binary
 * heap. Scheduling and polling allocate nothing once the arrays have grown to the working size. Not thread-safe.
 */
public final class EventQueue {
    // The heap: keys and the slot of each entry's payload.
    private long[] heapTime;
    private long[] heapSeq;
    private int[] heapSlot;
    private int size;
    private long nextSeq;

    // Payload slots, recycled through a free list.
    private int[] kind;
    private int[] target;
    private long[] arg;
    private int[] freeSlots;
    private int freeCount;

    private long polledTime;
    private int polledKind;
    private int polledTarget;
    private long polledArg;

    /** Creates a queue with room for {@code initialCapacity} events before it grows. */
    public EventQueue(int initialCapacity) {
        int n = Math.max(16, initialCapacity);
        heapTime = new long[n];
        heapSeq = new long[n];
        heapSlot = new int[n];
        kind = new int[n];
        target = new int[n];
        arg = new long[n];
        freeSlots = new int[n];
        for (int i = 0; i < n; i++) {
            freeSlots[i] = n - 1 - i;
        }
        freeCount = n;
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
        if (size == heapTime.length) {
            grow();
        }
        int slot = freeSlots[--freeCount];
        kind[slot] = eventKind;
        target[slot] = eventTarget;
        arg[slot] = eventArg;
        long s = nextSeq++;
        int i = size++;
        // Sift the hole up, then write once.
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            long pt = heapTime[parent];
            if (atNs > pt || (atNs == pt && s > heapSeq[parent])) {
                break;
            }
            heapTime[i] = pt;
            heapSeq[i] = heapSeq[parent];
            heapSlot[i] = heapSlot[parent];
            i = parent;
        }
        heapTime[i] = atNs;
        heapSeq[i] = s;
        heapSlot[i] = slot;
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
        int slot = heapSlot[0];
        polledTime = heapTime[0];
        polledKind = kind[slot];
        polledTarget = target[slot];
        polledArg = arg[slot];
        freeSlots[freeCount++] = slot;
        int last = --size;
        if (last > 0) {
            siftDownFromRoot(heapTime[last], heapSeq[last], heapSlot[last]);
        }
        return true;
    }

    private void siftDownFromRoot(long t, long s, int slot) {
        int i = 0;
        int n = size;
        while (true) {
            int first = (i << 2) + 1;
            if (first >= n) {
                break;
            }
            // The least of up to four children.
            int best = first;
            long bt = heapTime[first];
            long bs = heapSeq[first];
            int end = Math.min(first + 4, n);
            for (int c = first + 1; c < end; c++) {
                long ct = heapTime[c];
                if (ct < bt || (ct == bt && heapSeq[c] < bs)) {
                    best = c;
                    bt = ct;
                    bs = heapSeq[c];
                }
            }
            if (t < bt || (t == bt && s < bs)) {
                break;
            }
            heapTime[i] = bt;
            heapSeq[i] = bs;
            heapSlot[i] = heapSlot[best];
            i = best;
        }
        heapTime[i] = t;
        heapSeq[i] = s;
        heapSlot[i] = slot;
    }

    private void grow() {
        int old = heapTime.length;
        int n = old * 2;
        heapTime = Arrays.copyOf(heapTime, n);
        heapSeq = Arrays.copyOf(heapSeq, n);
        heapSlot = Arrays.copyOf(heapSlot, n);
        kind = Arrays.copyOf(kind, n);
        target = Arrays.copyOf(target, n);
        arg = Arrays.copyOf(arg, n);
        freeSlots = Arrays.copyOf(freeSlots, n);
        // Every old slot is in use when the heap is full; the new ones are free.
        for (int i = n - 1; i >= old; i--) {
            freeSlots[freeCount++] = i;
        }
    }

    /** Time of the earliest queued event; only valid when {@link #size()} is positive. */
    public long peekTime() {
        return heapTime[0];
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
