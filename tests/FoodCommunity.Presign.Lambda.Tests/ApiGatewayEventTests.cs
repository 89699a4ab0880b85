using System.Text;
using System.Text.Json;
using FoodCommunity.Presign.Lambda.Uploads;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>The function fed whole payload format 2.0 events, as the Runtime API delivers them.</summary>
public class ApiGatewayEventTests
{
    private readonly RecordingSigner signer = new();

    private PresignFunction Function => new(new PresignHandler(signer, TimeProvider.System));

    [Fact]
    public async Task DocumentationSampleEvent_IsReadAndRefusedForItsMissingSubject()
    {
        // The AWS documentation's sample: JWT authorizer claims, but none of them is "sub".
        var response = await InvokeAsync("apigateway-http-v2-doc-sample.json");

        Assert.Equal(401, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("Bearer", response.GetProperty("headers").GetProperty("WWW-Authenticate").GetString());
        using var problem = JsonDocument.Parse(response.GetProperty("body").GetString()!);
        Assert.Equal("id", problem.RootElement.GetProperty("traceId").GetString());
        Assert.False(response.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Empty(signer.Signed);
    }

    [Fact]
    public async Task SampleEventWithCallerClaims_IssuesFormForTheSubject()
    {
        var response = await InvokeAsync("apigateway-http-v2-presign.json");

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("application/json", response.GetProperty("headers").GetProperty("Content-Type").GetString());
        using var body = JsonDocument.Parse(response.GetProperty("body").GetString()!);
        Assert.StartsWith("uploads/01a21f0b-5b36-764d-bbcf-e56012e01923/", body.RootElement.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(".jpg", body.RootElement.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.Single(signer.Signed);
    }

    [Fact]
    public async Task RestApiEventWithClaimsUnderAuthorizer_IssuesFormForTheSubject()
    {
        // REST API (Cognito user pool or Lambda authorizer): requestContext.authorizer.claims, no "jwt" level.
        var response = await InvokeAsync("apigateway-rest-v1-presign.json");

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        using var body = JsonDocument.Parse(response.GetProperty("body").GetString()!);
        Assert.StartsWith("uploads/01a21f0b-5b36-764d-bbcf-e56012e01923/", body.RootElement.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.Equal(body.RootElement.GetProperty("key").GetString(), Assert.Single(signer.Signed).Key.Value);
    }

    [Fact]
    public async Task ClaimsThatAreNotStrings_AreReadAsApiGatewayFlattensThem()
    {
        // A Lambda authorizer's context may carry numbers and booleans; arrays arrive as "[a b]" from the JWT authorizer.
        var json = JsonNodeOf("apigateway-rest-v1-presign.json");
        var claims = json["requestContext"]!["authorizer"]!["claims"]!;
        claims["exp"] = 1583352238;
        claims["email_verified"] = true;
        claims["scope"] = new System.Text.Json.Nodes.JsonArray("api", "uploads");

        var response = await InvokeAsync(Encoding.UTF8.GetBytes(json.ToJsonString()));

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Single(signer.Signed);
    }

    [Fact]
    public async Task RestApiEventWithoutTheUploadsScope_Is403()
    {
        var json = JsonNodeOf("apigateway-rest-v1-presign.json");
        json["requestContext"]!["authorizer"]!["claims"]!["scope"] = "api";

        var response = await InvokeAsync(Encoding.UTF8.GetBytes(json.ToJsonString()));

        Assert.Equal(403, response.GetProperty("statusCode").GetInt32());
        Assert.Empty(signer.Signed);
    }

    [Fact]
    public async Task Base64EncodedBody_IsDecoded()
    {
        var json = JsonNodeOf("apigateway-http-v2-presign.json");
        json["body"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"contentType":"image/webp","contentLength":77}"""));
        json["isBase64Encoded"] = true;

        var response = await InvokeAsync(Encoding.UTF8.GetBytes(json.ToJsonString()));

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.EndsWith(".webp", Assert.Single(signer.Signed).Key.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventThatIsNotAnEvent_Throws()
    {
        // The runtime loop reports this as an invocation error: API Gateway never sends it.
        await Assert.ThrowsAnyAsync<JsonException>(() => Function.InvokeAsync("null"u8.ToArray(), TestContext.Current.CancellationToken));
        await Assert.ThrowsAnyAsync<JsonException>(() => Function.InvokeAsync("{\"requestContext\":"u8.ToArray(), TestContext.Current.CancellationToken));
    }

    private static System.Text.Json.Nodes.JsonNode JsonNodeOf(string fixture) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(FixturePath(fixture)))!;

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private Task<JsonElement> InvokeAsync(string fixture) => InvokeAsync(File.ReadAllBytes(FixturePath(fixture)));

    private async Task<JsonElement> InvokeAsync(byte[] eventJson)
    {
        var response = await Function.InvokeAsync(eventJson, TestContext.Current.CancellationToken);
        return JsonDocument.Parse(response).RootElement;
    }
}
