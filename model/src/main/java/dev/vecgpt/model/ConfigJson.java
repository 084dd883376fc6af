package dev.vecgpt.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one fact a checkpoint's tensors do not tell: the number of heads, {@code n_head} of Hugging Face's {@code config.json}. */
final class ConfigJson {

    private ConfigJson() {}

    /** {@code n_head} of {@code file}, or 0 when there is no such file or it has no {@code n_head}. */
    static int heads(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        try (JsonParser json = new JsonFactory().createParser(file.toFile())) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(file + " is not a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if (field.equals("n_head")) {
                    if (value == JsonToken.VALUE_STRING) {
                        throw new IOException(file + ": n_head is the string \"" + json.getText()
                                + "\", not a number (write it without quotes)");
                    }
                    if (value != JsonToken.VALUE_NUMBER_INT || json.getIntValue() < 1) {
                        throw new IOException(file + ": n_head is " + json.getText() + ", not a positive integer");
                    }
                    return json.getIntValue();
                }
                json.skipChildren();
            }
            return 0;
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
