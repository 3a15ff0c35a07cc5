package dev.kvmfleetsim.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes contract messages as JSON (snake_case, lower-case enums, like scenario files). Fields a newer
 * writer added are ignored; a message of another schema version is refused with a reason that names the field.
 * Thread-safe.
 */
public final class ContractJson {
    private static final ObjectMapper MAPPER = ScenarioJson.mapper()
            .copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.INDENT_OUTPUT);

    private ContractJson() {}

    /** The mapper used for the contract, for framework integration. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(ContractMessage message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
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
