package dev.kvmfleetsim.controller.grid;

import com.fasterxml.jackson.databind.JsonNode;

/** The JSON type rules of the scenario format (the same as ScenarioJson's), for axis values. */
final class JsonTypes {
    private JsonTypes() {}

    /** Null if {@code value} has the JSON type of {@code like}, else the reason, as the scenario reader words it. */
    static String mismatch(JsonNode like, JsonNode value) {
        if (value == null || value.isNull()) {
            return "must not be null";
        }
        String wanted;
        boolean ok;
        if (like.isBoolean()) {
            wanted = "must be true or false";
            ok = value.isBoolean();
        } else if (like.isIntegralNumber()) {
            wanted = "must be an integer";
            ok = (value.isNumber() && value.canConvertToExactIntegral())
                    || (value.isTextual() && value.asText().toLowerCase().matches("0x[0-9a-f]{1,16}"));
        } else if (like.isNumber()) {
            wanted = "must be a number";
            ok = value.isNumber();
        } else if (like.isTextual()) {
            wanted = "must be a string";
            ok = value.isTextual();
        } else if (like.isObject()) {
            wanted = "must be an object";
            ok = value.isObject();
        } else if (like.isArray()) {
            wanted = "must be a list";
            ok = value.isArray();
        } else {
            return null;
        }
        return ok ? null : wanted + " (like " + abbreviate(like) + " in the base scenario), was " + abbreviate(value);
    }

    static String abbreviate(JsonNode value) {
        String s = value.toString();
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
