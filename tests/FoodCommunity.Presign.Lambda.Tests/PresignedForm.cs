using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FoodCommunity.Presign.Lambda.Events;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>A 200 response of the function, read the way a client reads it.</summary>
public sealed record PresignedForm(string Key, Uri Url, string Method, IReadOnlyDictionary<string, string> Fields, DateTimeOffset ExpiresAt, long MaxBytes)
{
    private const string UserId = "01a21f0b-5b36-764d-bbcf-e56012e01923";

    public static async Task<PresignedForm> RequestAsync(TestS3Endpoint endpoint, string contentType, long contentLength, TimeProvider? time = null)
    {
        var function = PresignComposition.CreateFunction(TestStorage.Configuration(endpoint.Settings), time ?? TimeProvider.System);
        var claims = new Dictionary<string, string> { ["sub"] = UserId, ["scope"] = "api uploads" };
        var request = new ApiGatewayHttpRequest(
            "2.0",
            "POST /uploads",
            "/uploads",
            null,
            new ApiGatewayRequestContext("test", new ApiGatewayAuthorizer(new JwtAuthorizerContext(claims, null)), null),
            JsonSerializer.Serialize(new { contentType, contentLength }),
            false);
        var response = await function.HandleAsync(request, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == 200, response.Body);
        return Parse(response.Body);
    }

    public static PresignedForm Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        return new PresignedForm(
            root.GetProperty("key").GetString()!,
            new Uri(root.GetProperty("url").GetString()!),
            root.GetProperty("method").GetString()!,
            root.GetProperty("fields").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            root.GetProperty("expiresAt").GetDateTimeOffset(),
            root.GetProperty("maxBytes").GetInt64());
    }

    /// <summary>The decoded policy document of the form.</summary>
    public JsonElement Policy => JsonDocument.Parse(Convert.FromBase64String(Fields["Policy"])).RootElement;

    /// <summary>What a browser sends: every field as given, then the file, last, as <c>file</c>.</summary>
    public MultipartFormDataContent ToMultipart(byte[] file, string? fileContentType = null, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in Fields)
        {
            var content = new StringContent(overrides?.GetValueOrDefault(name) ?? value, Encoding.UTF8);
            content.Headers.ContentType = null;
            form.Add(content, name);
        }

        var fileContent = new ByteArrayContent(file);
        fileContent.Headers.ContentType = new MediaTypeHeaderValue(fileContentType ?? Fields["Content-Type"]);
        form.Add(fileContent, "file", "photo");
        return form;
    }
}
