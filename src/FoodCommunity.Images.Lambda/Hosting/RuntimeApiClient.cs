using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace FoodCommunity.Images.Lambda.Hosting;

/// <summary>One event from <c>/invocation/next</c>, with the headers the runtime must honour.</summary>
public sealed record Invocation(string RequestId, DateTimeOffset Deadline, string? TraceId, byte[] Event);

/// <summary>The error body the Runtime API takes for init and invocation errors.</summary>
public sealed record RuntimeErrorBody(string ErrorMessage, string ErrorType);

/// <summary>
/// A client of the documented Lambda Runtime API (version 2018-06-01): the four calls a custom runtime makes.
/// The same as the presign function's (each function is its own deployable with its own JSON context).
/// </summary>
public sealed class RuntimeApiClient(HttpClient http, string runtimeApi)
{
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";

    private const string FunctionErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private readonly Uri baseUri = new($"http://{runtimeApi}/2018-06-01/runtime/");

    /// <summary>Long-polls for the next event: it may block for as long as the function stays idle.</summary>
    public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(baseUri, "invocation/next"), HttpCompletionOption.ResponseContentRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new InvalidOperationException("The Runtime API sent an invocation without Lambda-Runtime-Aws-Request-Id.");
        var deadline = long.TryParse(Header(response, "Lambda-Runtime-Deadline-Ms"), NumberStyles.None, CultureInfo.InvariantCulture, out var deadlineMs)
            ? DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs)
            : DateTimeOffset.MaxValue;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new Invocation(requestId, deadline, Header(response, "Lambda-Runtime-Trace-Id"), body);
    }

    public async Task RespondAsync(string requestId, byte[] responseJson, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(responseJson);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(InvocationUri(requestId, "response"), content, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public Task ReportInvocationErrorAsync(string requestId, Exception error, CancellationToken cancellationToken) =>
        PostErrorAsync(InvocationUri(requestId, "error"), error, cancellationToken);

    public Task ReportInitErrorAsync(Exception error, CancellationToken cancellationToken) =>
        PostErrorAsync(new Uri(baseUri, "init/error"), error, cancellationToken);

    private async Task PostErrorAsync(Uri uri, Exception error, CancellationToken cancellationToken)
    {
        var body = new RuntimeErrorBody(error.Message, error.GetType().FullName ?? error.GetType().Name);
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, ImagesJsonContext.Default.RuntimeErrorBody));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.TryAddWithoutValidation(FunctionErrorTypeHeader, "Unhandled");
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private Uri InvocationUri(string requestId, string action) =>
        new(baseUri, $"invocation/{Uri.EscapeDataString(requestId)}/{action}");

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
