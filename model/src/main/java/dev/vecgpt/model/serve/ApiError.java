package dev.vecgpt.model.serve;

/**
 * A request the server refuses, answered in OpenAI's shape: {@code {"error": {"message", "type", "param",
 * "code"}}} with an HTTP status.
 *
 * @param param the request field at fault, or null
 * @param code  a machine-readable code, or null
 */
final class ApiError extends RuntimeException {

    final int status;
    final String type;
    final String param;
    final String code;

    ApiError(int status, String type, String message, String param, String code) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: a request that cannot be served as it is. */
    static ApiError invalid(String message, String param, String code) {
        return new ApiError(400, "invalid_request_error", message, param, code);
    }

    static ApiError invalid(String message, String param) {
        return invalid(message, param, null);
    }
}
