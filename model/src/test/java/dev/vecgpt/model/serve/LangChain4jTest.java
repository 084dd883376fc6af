package dev.vecgpt.model.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.Sampling;
import dev.vecgpt.model.Tokenizer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LangChain4j's OpenAI models, a client written elsewhere, against the server: the text is the one a
 * session generates with the same settings (LangChain4j sends the model, the prompt and the temperature
 * only, so OpenAI's default of 16 tokens applies, and the server's {@code --sample-seed} gives the seed).
 */
class LangChain4jTest {

    private static final long SAMPLE_SEED = 2024;
    private static GptModel model;
    private static CompletionServer server;

    @BeforeAll
    static void start() throws Exception {
        model = new GptModel(ServeTest.SMALL, 123, ModelOptions.DEFAULT);
        server = new CompletionServer(model, ServeTest.NAME, ServerOptions.defaults(0).withSampleSeed(SAMPLE_SEED));
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static String baseUrl() {
        return "http://127.0.0.1:" + server.address().getPort() + "/v1";
    }

    private static ServeTest.Expected expected(String prompt, double temperature) {
        Sampling sampling = temperature == 0 ? Sampling.greedy() : Sampling.random((float) temperature, SAMPLE_SEED);
        return ServeTest.expected(model, prompt, CompletionRequest.DEFAULT_MAX_TOKENS, sampling);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.9})
    void openAiLanguageModelGetsTheSessionsText(double temperature) {
        LanguageModel client = OpenAiLanguageModel.builder().baseUrl(baseUrl()).apiKey("unused")
                .modelName(ServeTest.NAME).temperature(temperature).timeout(Duration.ofSeconds(120)).build();
        String prompt = "Hello, I am";
        ServeTest.Expected want = expected(prompt, temperature);
        Response<String> response = client.generate(prompt);
        assertEquals(want.text(), response.content());
        assertEquals(want.full() ? FinishReason.LENGTH : FinishReason.STOP, response.finishReason());
        int promptTokens = new Tokenizer().encode(prompt).length;
        assertEquals(promptTokens, response.tokenUsage().inputTokenCount());
        assertEquals(want.tokens(), response.tokenUsage().outputTokenCount());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.9})
    void openAiStreamingLanguageModelGetsTheSameTextPieceByPiece(double temperature) throws Exception {
        OpenAiStreamingLanguageModel client = OpenAiStreamingLanguageModel.builder().baseUrl(baseUrl())
                .apiKey("unused").modelName(ServeTest.NAME).temperature(temperature)
                .timeout(Duration.ofSeconds(120)).build();
        String prompt = "Every effort moves you";
        ServeTest.Expected want = expected(prompt, temperature);
        StringBuilder pieces = new StringBuilder();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        client.generate(prompt, new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                pieces.append(token);
            }

            @Override
            public void onComplete(Response<String> response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        Response<String> response = done.get(120, TimeUnit.SECONDS);
        assertEquals(want.text(), pieces.toString());
        assertEquals(want.text(), response.content());
        assertEquals(want.full() ? FinishReason.LENGTH : FinishReason.STOP, response.finishReason());
    }
}
