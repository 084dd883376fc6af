package dev.vecgpt.model.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /v1/completions} as OpenAI's legacy completions API defines it, read with
 * Jackson's streaming parser and checked field by field: a wrong type, an out-of-range value or an
 * unknown field is an {@link ApiError} naming the field. What depends on the model (the prompt's tokens,
 * the context) is checked by {@link Completions}.
 *
 * @param prompt       the prompt as text, or null when given as token ids
 * @param promptIds    the prompt as token ids, or null when given as text
 * @param maxTokens    new tokens at most (OpenAI's default 16)
 * @param temperature  0 to 2 (default 1); 0 is greedy
 * @param topK         an extension (as llama.cpp's server): keep the k largest logits; 0 = off
 * @param seed         the sampling seed, or null for the server's
 * @param stop         up to 4 strings that end the text (not included)
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage
 * @param logprobs     log-probabilities of the 0 to 5 likeliest tokens at each step, or null for none
 */
record CompletionRequest(String model, String prompt, int[] promptIds, int maxTokens, double temperature,
                         double topP, int topK, Long seed, List<String> stop, boolean stream, boolean includeUsage,
                         boolean echo, Integer logprobs) {

    static final int DEFAULT_MAX_TOKENS = 16;
    static final int MAX_STOPS = 4;
    static final int MAX_LOGPROBS = 5;

    private static final JsonFactory JSON = JsonFactory.builder().build();

    static CompletionRequest parse(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiError.invalid("the body must be a JSON object", null, "invalid_json");
            }
            Builder b = new Builder();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                b.read(field, p);
            }
            if (p.nextToken() != null) {
                throw ApiError.invalid("the body has more after its JSON object", null, "invalid_json");
            }
            return b.build();
        } catch (JsonProcessingException e) {
            throw ApiError.invalid("the body is not valid JSON: " + e.getOriginalMessage(), null, "invalid_json");
        } catch (IOException e) {
            throw ApiError.invalid("the body could not be read: " + e.getMessage(), null, "invalid_json");
        }
    }

    /** The fields as they are read. */
    private static final class Builder {
        String model;
        String prompt;
        int[] promptIds;
        boolean promptGiven;
        int maxTokens = DEFAULT_MAX_TOKENS;
        double temperature = 1;
        double topP = 1;
        int topK;
        Long seed;
        List<String> stop = List.of();
        boolean stream;
        boolean includeUsage;
        boolean echo;
        Integer logprobs;

        void read(String field, JsonParser p) throws IOException {
            switch (field) {
                case "model" -> model = string(p, field);
                case "prompt" -> prompt(p);
                case "max_tokens" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL) {
                        maxTokens = integer(p, field);
                        if (maxTokens <= 0) {
                            throw ApiError.invalid("max_tokens is " + maxTokens + ", must be at least 1", field);
                        }
                    }
                }
                case "temperature" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL) {
                        temperature = number(p, field);
                        if (!(temperature >= 0 && temperature <= 2)) {
                            throw ApiError.invalid("temperature is " + temperature + ", must be 0 to 2", field);
                        }
                    }
                }
                case "top_p" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL) {
                        topP = number(p, field);
                        if (!(topP > 0 && topP <= 1)) {
                            throw ApiError.invalid("top_p is " + topP + ", must be above 0 and at most 1", field);
                        }
                    }
                }
                case "top_k" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL) {
                        topK = integer(p, field);
                        if (topK < 0) {
                            throw ApiError.invalid("top_k is " + topK + ", must be 0 (off) or more", field);
                        }
                    }
                }
                case "seed" -> seed = p.currentToken() == JsonToken.VALUE_NULL ? null : longInteger(p, field);
                case "stop" -> stop(p);
                case "stream" -> stream = bool(p, field);
                case "stream_options" -> streamOptions(p);
                case "echo" -> echo = bool(p, field);
                case "logprobs" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL) {
                        logprobs = integer(p, field);
                        if (logprobs < 0 || logprobs > MAX_LOGPROBS) {
                            throw ApiError.invalid("logprobs is " + logprobs + ", must be 0 to " + MAX_LOGPROBS, field);
                        }
                    }
                }
                case "n", "best_of" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL && integer(p, field) != 1) {
                        throw ApiError.invalid(field + " is " + p.getText() + ": this server makes one completion per "
                                + "request, so only 1 is supported", field, "unsupported_value");
                    }
                }
                case "presence_penalty", "frequency_penalty" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL && number(p, field) != 0) {
                        throw ApiError.invalid(field + " is " + p.getText() + ": penalties are not supported, "
                                + "only 0", field, "unsupported_value");
                    }
                }
                case "logit_bias" -> {
                    if (p.currentToken() == JsonToken.START_OBJECT && p.nextToken() != JsonToken.END_OBJECT) {
                        throw ApiError.invalid("logit_bias is not supported, only {} or null", field, "unsupported_value");
                    } else if (p.currentToken() != JsonToken.END_OBJECT && p.currentToken() != JsonToken.VALUE_NULL) {
                        throw wrongType(field, "an object", p);
                    }
                }
                case "suffix" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL) {
                        throw ApiError.invalid("suffix is not supported, only null", field, "unsupported_value");
                    }
                }
                case "user" -> string(p, field); // an end-user id for abuse monitoring: nothing to do with it here
                default -> throw ApiError.invalid("Unrecognized request argument supplied: " + field, field,
                        "unknown_parameter");
            }
        }

        /** A string, a list of token ids, or a list holding one of either. */
        private void prompt(JsonParser p) throws IOException {
            promptGiven = true;
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_STRING) {
                prompt = p.getText();
                return;
            }
            if (t != JsonToken.START_ARRAY) {
                throw wrongType("prompt", "a string or an array of token ids", p);
            }
            List<Integer> ids = new ArrayList<>();
            int prompts = 0;
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                if (e == JsonToken.VALUE_NUMBER_INT) {
                    ids.add(p.getIntValue());
                } else if (e == JsonToken.VALUE_STRING && ++prompts == 1 && ids.isEmpty()) {
                    prompt = p.getText();
                } else if (e == JsonToken.START_ARRAY && ++prompts == 1 && ids.isEmpty()) {
                    prompt(p);
                } else if (e == JsonToken.VALUE_STRING || e == JsonToken.START_ARRAY) {
                    throw ApiError.invalid("prompt holds several prompts: this server completes one prompt per "
                            + "request", "prompt", "unsupported_value");
                } else {
                    throw wrongType("prompt", "a string or an array of integer token ids", p);
                }
            }
            if (prompts == 0) {
                promptIds = ids.stream().mapToInt(Integer::intValue).toArray();
            } else if (!ids.isEmpty()) {
                throw wrongType("prompt", "a string or an array of integer token ids", p);
            }
        }

        private void stop(JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NULL) {
                stop = List.of();
            } else if (t == JsonToken.VALUE_STRING) {
                stop = List.of(nonEmpty(p.getText()));
            } else if (t == JsonToken.START_ARRAY) {
                List<String> all = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    all.add(nonEmpty(string(p, "stop")));
                }
                if (all.size() > MAX_STOPS) {
                    throw ApiError.invalid("stop has " + all.size() + " sequences, at most " + MAX_STOPS, "stop");
                }
                stop = List.copyOf(all);
            } else {
                throw wrongType("stop", "a string or an array of strings", p);
            }
        }

        private static String nonEmpty(String stop) {
            if (stop.isEmpty()) {
                throw ApiError.invalid("a stop sequence is empty", "stop");
            }
            return stop;
        }

        private void streamOptions(JsonParser p) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                return;
            }
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw wrongType("stream_options", "an object", p);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("include_usage")) {
                    throw ApiError.invalid("Unrecognized request argument supplied: stream_options." + field,
                            "stream_options", "unknown_parameter");
                }
                includeUsage = bool(p, "stream_options.include_usage");
            }
        }

        CompletionRequest build() {
            if (model == null) {
                throw ApiError.invalid("you must provide a model parameter", "model", "missing_required_parameter");
            }
            if (promptGiven && prompt == null && promptIds == null) {
                throw ApiError.invalid("prompt is empty", "prompt");
            }
            if (!stream && includeUsage) {
                throw ApiError.invalid("stream_options is only allowed when stream is true", "stream_options");
            }
            if (echo && logprobs != null) {
                throw ApiError.invalid("echo with logprobs is not supported (it needs the prompt's log-probabilities)",
                        "logprobs", "unsupported_value");
            }
            return new CompletionRequest(model, prompt, promptIds, maxTokens, temperature, topP, topK, seed, stop,
                    stream, includeUsage, echo, logprobs);
        }
    }

    private static String string(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw wrongType(field, "a string", p);
        }
        return p.getText();
    }

    private static boolean bool(JsonParser p, String field) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            default -> throw wrongType(field, "a boolean", p);
        };
    }

    private static int integer(JsonParser p, String field) throws IOException {
        long value = longInteger(p, field);
        if (value != (int) value) {
            throw ApiError.invalid(field + " is " + value + ", out of range", field);
        }
        return (int) value;
    }

    private static long longInteger(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw wrongType(field, "an integer", p);
        }
        return p.getLongValue();
    }

    private static double number(JsonParser p, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw wrongType(field, "a number", p);
        }
        return p.getDoubleValue();
    }

    private static ApiError wrongType(String field, String expected, JsonParser p) throws IOException {
        String got = switch (p.currentToken()) {
            case VALUE_STRING -> "the string \"" + p.getText() + "\"";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case null -> "nothing";
            default -> p.getText();
        };
        return ApiError.invalid(field + " must be " + expected + ", not " + got, field, "invalid_type");
    }
}
