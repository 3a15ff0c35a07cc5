package dev.kvmfleetsim.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming codec for {@link EventBatch}, the contract's bulk message: the same JSON as the data-binding mapper
 * writes and reads (no wire change, so no version change), without its per-event reflection and property buffering,
 * which was most of the results-store's CPU and a tenth of a host-sim's in FULL detail (docs/benchmarks.md, pipeline).
 *
 * <p>{@link #tryRead} accepts only a message of the current version with every field present and of its exact JSON
 * type (unknown fields are skipped, as the mapper skips them); for anything else it returns null and {@link
 * ContractJson#read} takes its checked path, so what is refused, and the reason given, are unchanged.
 */
final class EventBatchJson {
    private final JsonFactory factory;

    EventBatchJson(JsonFactory factory) {
        this.factory = factory;
    }

    /** The batch in the mapper's form: snake_case names, record component order, lower-case detail. */
    byte[] write(EventBatch b) throws IOException {
        int events = b.exits().size() + b.yields().size();
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(256 + 80 * events);
                JsonGenerator g = factory.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeNumberField("schema_version", b.schemaVersion());
            g.writeStringField("run_id", b.runId());
            g.writeNumberField("attempt", b.attempt());
            g.writeNumberField("sequence", b.sequence());
            g.writeFieldName("detail");
            if (b.detail() == null) {
                g.writeNull();
            } else {
                g.writeString(lowerCase(b.detail()));
            }
            g.writeArrayFieldStart("exits");
            for (TraceEvent.Exit e : b.exits()) {
                g.writeStartObject();
                g.writeNumberField("time_ns", e.timeNs());
                g.writeNumberField("vm", e.vm());
                g.writeNumberField("vcpu", e.vcpu());
                g.writeStringField("reason", e.reason());
                g.writeNumberField("duration_ns", e.durationNs());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("yields");
            for (TraceEvent.Yield y : b.yields()) {
                g.writeStartObject();
                g.writeNumberField("time_ns", y.timeNs());
                g.writeNumberField("vm", y.vm());
                g.writeNumberField("vcpu", y.vcpu());
                g.writeNumberField("target", y.target());
                g.writeStringField("cause", y.cause());
                g.writeStringField("failure", y.failure());
                if (y.targetState() != null) {
                    g.writeStringField("target_state", y.targetState());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("last", b.last());
            g.writeEndObject();
            g.flush();
            return bytes.toByteArray();
        }
    }

    /** The batch, or null if the message is anything but a complete, well-typed batch of the current version. */
    EventBatch tryRead(byte[] json) {
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Integer version = null;
            String runId = null;
            Integer attempt = null;
            Long sequence = null;
            DetailLevel detail = null;
            List<TraceEvent.Exit> exits = null;
            List<TraceEvent.Yield> yields = null;
            Boolean last = null;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "schema_version" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getIntValue() != ContractVersion.CURRENT) {
                            return null;
                        }
                        version = p.getIntValue();
                    }
                    case "run_id" -> {
                        if (t != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        runId = p.getText();
                    }
                    case "attempt" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT) {
                            return null;
                        }
                        attempt = p.getIntValue();
                    }
                    case "sequence" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT) {
                            return null;
                        }
                        sequence = p.getLongValue();
                    }
                    case "detail" -> {
                        if (t != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        detail = detail(p.getText());
                        if (detail == null) {
                            return null;
                        }
                    }
                    case "exits" -> {
                        exits = exits(p, t);
                        if (exits == null) {
                            return null;
                        }
                    }
                    case "yields" -> {
                        yields = yields(p, t);
                        if (yields == null) {
                            return null;
                        }
                    }
                    case "last" -> {
                        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                            return null;
                        }
                        last = t == JsonToken.VALUE_TRUE;
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            if (version == null
                    || runId == null
                    || attempt == null
                    || sequence == null
                    || detail == null
                    || exits == null
                    || yields == null
                    || last == null) {
                return null;
            }
            return new EventBatch(version, runId, attempt, sequence, detail, exits, yields, last);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<TraceEvent.Exit> exits(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            return null;
        }
        List<TraceEvent.Exit> out = new ArrayList<>();
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            long time = 0;
            int vm = 0;
            int vcpu = 0;
            String reason = null;
            long duration = 0;
            int seen = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken v = p.nextToken();
                switch (name) {
                    case "time_ns" -> {
                        time = longValue(p, v);
                        seen |= 1;
                    }
                    case "vm" -> {
                        vm = intValue(p, v);
                        seen |= 2;
                    }
                    case "vcpu" -> {
                        vcpu = intValue(p, v);
                        seen |= 4;
                    }
                    case "reason" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        reason = p.getText();
                        seen |= 8;
                    }
                    case "duration_ns" -> {
                        duration = longValue(p, v);
                        seen |= 16;
                    }
                    default -> p.skipChildren();
                }
            }
            if (seen != 31) {
                return null;
            }
            out.add(new TraceEvent.Exit(time, vm, vcpu, reason, duration));
        }
        return t == JsonToken.END_ARRAY ? out : null;
    }

    private static List<TraceEvent.Yield> yields(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            return null;
        }
        List<TraceEvent.Yield> out = new ArrayList<>();
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            long time = 0;
            int vm = 0;
            int vcpu = 0;
            int target = 0;
            String cause = null;
            String failure = null;
            String targetState = null;
            int seen = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken v = p.nextToken();
                switch (name) {
                    case "time_ns" -> {
                        time = longValue(p, v);
                        seen |= 1;
                    }
                    case "vm" -> {
                        vm = intValue(p, v);
                        seen |= 2;
                    }
                    case "vcpu" -> {
                        vcpu = intValue(p, v);
                        seen |= 4;
                    }
                    case "target" -> {
                        target = intValue(p, v);
                        seen |= 8;
                    }
                    case "cause" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        cause = p.getText();
                        seen |= 16;
                    }
                    case "failure" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        failure = p.getText();
                        seen |= 32;
                    }
                    case "target_state" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        targetState = p.getText();
                    }
                    default -> p.skipChildren();
                }
            }
            if (seen != 63) {
                return null;
            }
            out.add(new TraceEvent.Yield(time, vm, vcpu, target, cause, failure, targetState));
        }
        return t == JsonToken.END_ARRAY ? out : null;
    }

    /** Not an integer token, or out of range: the checked path decides (it throws to leave the fast path). */
    private static long longValue(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new NotFast();
        }
        return p.getLongValue();
    }

    private static int intValue(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new NotFast();
        }
        return p.getIntValue();
    }

    private static DetailLevel detail(String text) {
        for (DetailLevel d : DetailLevel.values()) {
            if (lowerCase(d).equals(text)) {
                return d;
            }
        }
        return null;
    }

    private static String lowerCase(DetailLevel d) {
        return switch (d) {
            case AGGREGATE -> "aggregate";
            case SAMPLED -> "sampled";
            case FULL -> "full";
        };
    }

    /** Leaves the fast path; cheap (no stack trace). */
    private static final class NotFast extends RuntimeException {
        NotFast() {
            super(null, null, false, false);
        }
    }
}
