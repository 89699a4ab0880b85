using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FoodCommunity.Presign.Lambda.Events;

namespace FoodCommunity.Presign.Lambda.Uploads;

/// <summary>The handler's responses, shaped as the API's: RFC 9457 problems, never cached.</summary>
internal static class Problems
{
    public static ApiGatewayHttpResponse Unauthorized(string detail, string? traceId) =>
        Problem(new("https://tools.ietf.org/html/rfc9110#section-15.5.2", "Unauthorized", 401, detail, traceId), ("WWW-Authenticate", "Bearer"));

    public static ApiGatewayHttpResponse Forbidden(string detail, string? traceId, string? insufficientScope = null) =>
        Problem(
            new("https://tools.ietf.org/html/rfc9110#section-15.5.4", "Forbidden", 403, detail, traceId),
            insufficientScope is null ? null : ("WWW-Authenticate", $"Bearer error=\"insufficient_scope\", scope=\"{insufficientScope}\""));

    public static ApiGatewayHttpResponse BadRequest(string detail, string? traceId) =>
        Problem(new("https://tools.ietf.org/html/rfc9110#section-15.5.1", "Bad Request", 400, detail, traceId));

    public static ApiGatewayHttpResponse Validation(Dictionary<string, string[]> errors, string? traceId) =>
        Problem(new(
            "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            "One or more validation errors occurred.",
            400,
            "See errors for the fields to correct.",
            traceId,
            errors));

    public static ApiGatewayHttpResponse ServiceUnavailable(string detail, string? traceId) =>
        Problem(new("https://tools.ietf.org/html/rfc9110#section-15.6.4", "Service Unavailable", 503, detail, traceId));

    public static ApiGatewayHttpResponse Problem(ProblemBody problem, (string Name, string Value)? header = null)
    {
        var response = Json(problem.Status, problem, PresignJsonContext.Default.ProblemBody, "application/problem+json");
        return header is { } extra
            ? response with { Headers = new Dictionary<string, string>(response.Headers) { [extra.Name] = extra.Value } }
            : response;
    }

    public static ApiGatewayHttpResponse Json<T>(int status, T body, JsonTypeInfo<T> typeInfo, string contentType) =>
        new(
            status,
            new Dictionary<string, string>
            {
                ["Content-Type"] = contentType,
                // The form is a credential for one upload; no cache or proxy should keep it.
                ["Cache-Control"] = "no-store",
            },
            JsonSerializer.Serialize(body, typeInfo));
}
