using System.Text;
using System.Text.Json;
using FoodCommunity.Presign.Lambda.Events;
using FoodCommunity.Presign.Lambda.Uploads;

namespace FoodCommunity.Presign.Lambda;

/// <summary>The function as both hosts see it: an API Gateway event in, its response out.</summary>
public sealed class PresignFunction(PresignHandler handler)
{
    public Task<ApiGatewayHttpResponse> HandleAsync(ApiGatewayHttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return handler.HandleAsync(request.RequestContext?.Authorizer?.Caller, ReadBody(request), request.RequestContext?.RequestId, cancellationToken);
    }

    /// <summary>The Lambda entry: the raw event JSON from the Runtime API, the response JSON to post back.</summary>
    public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> eventJson, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Deserialize(eventJson.Span, PresignJsonContext.Default.ApiGatewayHttpRequest)
            ?? throw new JsonException("The invocation event is JSON null, not an API Gateway HTTP API event.");
        var response = await HandleAsync(request, cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(response, PresignJsonContext.Default.ApiGatewayHttpResponse);
    }

    /// <summary>API Gateway base64-encodes bodies it does not take for text; a body that does not decode counts as none.</summary>
    private static string? ReadBody(ApiGatewayHttpRequest request)
    {
        if (!request.IsBase64Encoded || request.Body is null)
        {
            return request.Body;
        }

        var bytes = new byte[request.Body.Length];
        return Convert.TryFromBase64String(request.Body, bytes, out var written)
            ? Encoding.UTF8.GetString(bytes, 0, written)
            : null;
    }
}
