package dev.vecgpt.model.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A text field of one JSON line ({@code {"text": "...", ...}}), as data sets of documents are kept. */
final class JsonLines {

    private JsonLines() {}

    /** The UTF-8 bytes of the string {@code field} of the JSON object {@code line}; {@code where} names the line in errors. */
    static byte[] field(byte[] line, String field, String where) throws IOException {
        try (JsonParser json = new JsonFactory().createParser(line)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(where + " is not a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                if (name.equals(field)) {
                    if (value != JsonToken.VALUE_STRING) {
                        throw new IllegalArgumentException(where + ": \"" + field + "\" is not a string");
                    }
                    return json.getText().getBytes(StandardCharsets.UTF_8);
                }
                json.skipChildren();
            }
            throw new IllegalArgumentException(where + " has no \"" + field + "\" field");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** {@code s} as a JSON string literal. */
    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
