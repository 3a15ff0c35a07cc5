package dev.kvmfleetsim.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes contract messages as JSON (snake_case, lower-case enums, like scenario files). Fields a newer
 * writer added are ignored; a message of another schema version is refused with a reason that names the field.
 * Thread-safe.
 */
public final class ContractJson {
    /**
     * The contract's own configuration, the scenario file format's naming rules (snake_case, lower-case enums read
     * in any case) without depending on the model: compact output, unknown fields ignored, a null for a primitive
     * refused. Schema version 1's bytes are pinned by the wire samples (WireSamplesTest).
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .configure(EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true)
            .build();

    /**
     * The same mapper, but refusing a JSON string where a number belongs ("1" for 1), which the version check below
     * refuses as well: {@link #read} binds with it first, without building a tree, and falls back to the checked
     * path whenever it fails or finds another version.
     */
    private static final ObjectMapper DIRECT = MAPPER.copy();

    static {
        DIRECT.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    }

    /** Event batches, the bulk of the traffic, go through a streaming codec producing the same JSON. */
    private static final EventBatchJson EVENT_BATCHES = new EventBatchJson(MAPPER.getFactory());

    private ContractJson() {}

    /** The mapper used for the contract, for framework integration. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(ContractMessage message) {
        try {
            if (message instanceof EventBatch batch) {
                return EVENT_BATCHES.write(batch);
            }
            return MAPPER.writeValueAsBytes(message);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("contract records always serialize", e);
        }
    }

    public static String writeString(ContractMessage message) {
        return new String(write(message), StandardCharsets.UTF_8);
    }

    /**
     * Reads one message of the given type.
     *
     * @throws UnreadableMessageException if it is not JSON, lacks {@code schema_version}, has another version, or
     *     does not fit the record
     */
    public static <T extends ContractMessage> T read(byte[] bytes, Class<T> type) {
        // Fast path: bind directly (an event batch is thousands of objects; a tree of them first costs more than the
        // binding). A message it accepts has the current version and binds the same way in the checked path below.
        if (type == EventBatch.class) {
            EventBatch batch = EVENT_BATCHES.tryRead(bytes);
            if (batch != null) {
                return type.cast(batch);
            }
        }
        try {
            T message = DIRECT.readValue(bytes, type);
            if (message != null && message.schemaVersion() == ContractVersion.CURRENT) {
                return message;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through: the checked path names the problem
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new UnreadableMessageException("not JSON: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new UnreadableMessageException("not a JSON object", null);
        }
        JsonNode version = tree.get("schema_version");
        if (version == null || !version.canConvertToInt()) {
            throw new UnreadableMessageException("schema_version: missing or not an integer", null);
        }
        if (version.intValue() != ContractVersion.CURRENT) {
            throw new UnreadableMessageException(
                    "schema_version: " + version.intValue() + " is not supported (this reader knows "
                            + ContractVersion.CURRENT + ")",
                    null);
        }
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new UnreadableMessageException(type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
