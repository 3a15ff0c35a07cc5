package dev.kvmfleetsim.hostsim.model.engine;

import java.util.Arrays;

/**
 * The future-event list of a discrete-event simulation: events ordered by (time, insertion sequence), so that events
 * at the same nanosecond run in the order they were scheduled and a run is reproducible.
 *
 * <p>Each event is a kind, a target index and a {@code long} argument. The payload stays in slot arrays; a 4-ary heap
 * orders the keys. A key is two adjacent longs in one array, the time and {@code sequence << SLOT_BITS | slot}, so a
 * level of a sift touches one or two cache lines instead of three arrays. Sequences are unique, so comparing the
 * second word compares sequences.
 *
 * <p>The loop of a simulation polls one event and its handler mostly schedules one or two. {@link #poll} therefore
 * leaves a hole at the root instead of refilling it at once; the next {@link #schedule} drops its event into the hole
 * and sifts it down, which replaces a sift-down plus a sift-up by a single sift-down. The order of events is that of
 * a plain heap: keys are unique, so the minimum is the same whatever the heap's shape.
 *
 * <p>Scheduling and polling allocate nothing once the arrays have grown to the working size. Not thread-safe.
 */
public final class EventQueue {
    /** Bits of the payload slot in the second key word: up to 4 M pending events, 2^41 schedules per queue. */
    private static final int SLOT_BITS = 22;

    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;
    private static final long MAX_SEQ = Long.MAX_VALUE >>> SLOT_BITS;

    // The heap: entry i is keys[2i] (time) and keys[2i + 1] (sequence and slot).
    private long[] keys;
    // Entries in the heap, counting the hole at the root when there is one.
    private int size;
    private boolean rootIsHole;
    private long nextSeq;

    // Payload slots, recycled through a free list; the heap index and generation of each slot serve cancel().
    private int[] kind;
    private int[] pos;
    private int[] gen;
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
        keys = new long[2 * n];
        kind = new int[n];
        pos = new int[n];
        gen = new int[n];
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
     * @return a handle for {@link #cancel}
     */
    public long schedule(long atNs, int eventKind, int eventTarget, long eventArg) {
        if (freeCount == 0) {
            grow();
        }
        int slot = freeSlots[--freeCount];
        kind[slot] = eventKind;
        target[slot] = eventTarget;
        arg[slot] = eventArg;
        long s = nextSeq++;
        if (s > MAX_SEQ) {
            throw new IllegalStateException("more than 2^41 events scheduled on one queue");
        }
        long seqSlot = (s << SLOT_BITS) | slot;
        long handle = ((long) gen[slot] << 32) | slot;
        if (rootIsHole) {
            rootIsHole = false;
            siftDown(0, atNs, seqSlot);
            return handle;
        }
        // A new last entry, sifted up (the hole moves up, the entry is written once).
        siftUp(size++, atNs, seqSlot);
        return handle;
    }

    /**
     * Removes a scheduled event that has not been polled yet, so that an event made obsolete never costs a poll.
     *
     * @param handle what {@link #schedule} returned
     * @return false if the event was already polled or cancelled
     */
    public boolean cancel(long handle) {
        int slot = (int) handle;
        if (gen[slot] != (int) (handle >>> 32)) {
            return false;
        }
        gen[slot]++;
        freeSlots[freeCount++] = slot;
        int i = pos[slot];
        int last = --size;
        if (i != last) {
            long t = keys[2 * last];
            long s = keys[2 * last + 1];
            // The last entry takes the freed place: it may belong above (sift up) or below (sift down) it. A hole at
            // the root holds the least possible key, so a sift up never passes it.
            siftUp(i, t, s);
            if (pos[(int) (s & SLOT_MASK)] == i) {
                siftDown(i, t, s);
            }
        }
        return true;
    }

    /** Whether the event of {@code handle} is still scheduled (neither polled nor cancelled). */
    public boolean isPending(long handle) {
        return handle >= 0 && gen[(int) handle] == (int) (handle >>> 32);
    }

    /** Moves the entry for place {@code from} up to where it belongs; the places it passes move down. */
    private void siftUp(int from, long t, long seqSlot) {
        long[] k = keys;
        int i = from;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            long pt = k[2 * parent];
            if (t > pt || (t == pt && seqSlot > k[2 * parent + 1])) {
                break;
            }
            long ps = k[2 * parent + 1];
            k[2 * i] = pt;
            k[2 * i + 1] = ps;
            pos[(int) (ps & SLOT_MASK)] = i;
            i = parent;
        }
        k[2 * i] = t;
        k[2 * i + 1] = seqSlot;
        pos[(int) (seqSlot & SLOT_MASK)] = i;
    }

    /**
     * Removes the earliest event and makes it readable through {@link #polledTime()} and friends.
     *
     * @return false if the queue was empty
     */
    public boolean poll() {
        fillHole();
        if (size == 0) {
            return false;
        }
        take();
        return true;
    }

    /**
     * Removes the earliest event if it happens at or before {@code endNs}, as {@link #poll} does; otherwise leaves the
     * queue as it is.
     *
     * @return false if the queue is empty or its earliest event is after {@code endNs}
     */
    public boolean pollUntil(long endNs) {
        fillHole();
        if (size == 0 || keys[0] > endNs) {
            return false;
        }
        take();
        return true;
    }

    /** Reads the root into the polled fields and frees its slot; the root becomes a hole. */
    private void take() {
        int slot = (int) (keys[1] & SLOT_MASK);
        polledTime = keys[0];
        polledKind = kind[slot];
        polledTarget = target[slot];
        polledArg = arg[slot];
        freeSlots[freeCount++] = slot;
        gen[slot]++;
        rootIsHole = true;
        // The least possible key: a sift up in cancel() stops below the hole.
        keys[0] = Long.MIN_VALUE;
        keys[1] = Long.MIN_VALUE;
    }

    /** Refills a hole at the root with the last entry (the removal that {@link #poll} deferred). */
    private void fillHole() {
        if (!rootIsHole) {
            return;
        }
        rootIsHole = false;
        int last = --size;
        if (last > 0) {
            siftDown(0, keys[2 * last], keys[2 * last + 1]);
        }
    }

    private void siftDown(int from, long t, long seqSlot) {
        long[] k = keys;
        int i = from;
        int n = size;
        while (true) {
            int first = (i << 2) + 1;
            if (first >= n) {
                break;
            }
            // The least of up to four children.
            int best = first;
            long bt = k[2 * first];
            long bs = k[2 * first + 1];
            int end = Math.min(first + 4, n);
            for (int c = first + 1; c < end; c++) {
                long ct = k[2 * c];
                long cs = k[2 * c + 1];
                // Non-short-circuit operators and conditional assignments: which child is least is data-dependent
                // and mispredicts often, so the JIT gets a form it can compile to conditional moves.
                boolean less = ct < bt | (ct == bt & cs < bs);
                best = less ? c : best;
                bt = less ? ct : bt;
                bs = less ? cs : bs;
            }
            if (t < bt || (t == bt && seqSlot < bs)) {
                break;
            }
            k[2 * i] = bt;
            k[2 * i + 1] = bs;
            pos[(int) (bs & SLOT_MASK)] = i;
            i = best;
        }
        k[2 * i] = t;
        k[2 * i + 1] = seqSlot;
        pos[(int) (seqSlot & SLOT_MASK)] = i;
    }

    private void grow() {
        int old = kind.length;
        int n = old * 2;
        if (n > SLOT_MASK + 1) {
            throw new IllegalStateException("more than " + (SLOT_MASK + 1) + " pending events");
        }
        keys = Arrays.copyOf(keys, 2 * n);
        kind = Arrays.copyOf(kind, n);
        pos = Arrays.copyOf(pos, n);
        gen = Arrays.copyOf(gen, n);
        target = Arrays.copyOf(target, n);
        arg = Arrays.copyOf(arg, n);
        freeSlots = Arrays.copyOf(freeSlots, n);
        // Every old slot is in use when none is free; the new ones are free.
        for (int i = n - 1; i >= old; i--) {
            freeSlots[freeCount++] = i;
        }
    }

    /** Time of the earliest queued event; only valid when {@link #size()} is positive. */
    public long peekTime() {
        fillHole();
        return keys[0];
    }

    public int size() {
        return rootIsHole ? size - 1 : size;
    }

    public boolean isEmpty() {
        return size() == 0;
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
