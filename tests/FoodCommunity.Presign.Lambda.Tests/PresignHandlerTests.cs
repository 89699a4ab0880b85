using System.Text.Json;
using FoodCommunity.Presign.Lambda.Events;
using FoodCommunity.Presign.Lambda.Uploads;

namespace FoodCommunity.Presign.Lambda.Tests;

public class PresignHandlerTests
{
    private const string UserId = "01a21f0b-5b36-764d-bbcf-e56012e01923";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 21, 32, 43, 123, TimeSpan.Zero);

    private readonly RecordingSigner signer = new();

    private PresignHandler Handler => new(signer, new FixedTimeProvider(Now));

    private static JwtAuthorizerContext Caller(string? sub = UserId, string? scope = "api uploads") =>
        new(
            new Dictionary<string, string?> { ["sub"] = sub, ["scope"] = scope, ["iss"] = "https://api.example" }
                .Where(c => c.Value is not null)
                .ToDictionary(c => c.Key, c => c.Value!),
            null);

    [Fact]
    public async Task ValidRequest_IssuesFormForANewKeyOfTheCaller()
    {
        var response = await Handler.HandleAsync(Caller(), """{"contentType":"image/png","contentLength":123456}""", "trace-1", TestContext.Current.CancellationToken);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json", response.Headers["Content-Type"]);
        Assert.Equal("no-store", response.Headers["Cache-Control"]);
        using var json = JsonDocument.Parse(response.Body);
        var root = json.RootElement;
        var (signedKey, signedExpiry) = Assert.Single(signer.Signed);
        Assert.Equal(signedKey.Value, root.GetProperty("key").GetString());
        Assert.Matches($"^uploads/{UserId}/2026/11/[0-9a-f]{{32}}\\.png$", root.GetProperty("key").GetString());
        Assert.Equal("https://bucket.example/", root.GetProperty("url").GetString());
        Assert.Equal("POST", root.GetProperty("method").GetString());
        Assert.Equal("image/png", root.GetProperty("fields").GetProperty("Content-Type").GetString());
        Assert.Equal("2026-11-27T21:37:43Z", root.GetProperty("expiresAt").GetString());
        Assert.Equal(new DateTime(2026, 11, 27, 21, 37, 43, DateTimeKind.Utc), signedExpiry);
        Assert.Equal(15 * 1024 * 1024, root.GetProperty("maxBytes").GetInt64());
    }

    [Fact]
    public async Task TwoRequests_GetDifferentKeys()
    {
        var body = """{"contentType":"image/jpeg","contentLength":10}""";

        await Handler.HandleAsync(Caller(), body, null, TestContext.Current.CancellationToken);
        await Handler.HandleAsync(Caller(), body, null, TestContext.Current.CancellationToken);

        Assert.Equal(2, signer.Signed.Select(s => s.Key.Value).Distinct().Count());
    }

    [Theory]
    [InlineData("image/jpeg", "jpg")]
    [InlineData("image/png", "png")]
    [InlineData("image/webp", "webp")]
    [InlineData("Image/WEBP", "webp")]
    public async Task EachAllowedType_GetsItsExtensionAndCanonicalContentType(string contentType, string extension)
    {
        var response = await Handler.HandleAsync(Caller(), $$"""{"contentType":"{{contentType}}","contentLength":1}""", null, TestContext.Current.CancellationToken);

        Assert.Equal(200, response.StatusCode);
        var signed = Assert.Single(signer.Signed);
        Assert.EndsWith("." + extension, signed.Key.Value, StringComparison.Ordinal);
        Assert.Equal(contentType.ToLowerInvariant(), signed.Key.Type.ContentType);
    }

    [Fact]
    public async Task MaximumSize_IsAccepted()
    {
        var response = await Handler.HandleAsync(Caller(), """{"contentType":"image/jpeg","contentLength":15728640}""", null, TestContext.Current.CancellationToken);

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task NoAuthorizerContext_Is401AndSignsNothing()
    {
        var response = await Handler.HandleAsync(null, """{"contentType":"image/jpeg","contentLength":10}""", "t", TestContext.Current.CancellationToken);

        AssertProblem(response, 401);
        Assert.Equal("Bearer", response.Headers["WWW-Authenticate"]);
        Assert.Empty(signer.Signed);
    }

    [Fact]
    public async Task EmptyClaims_Is401AndSignsNothing()
    {
        var response = await Handler.HandleAsync(new JwtAuthorizerContext(new Dictionary<string, string>(), ["uploads"]), """{"contentType":"image/jpeg","contentLength":10}""", "t", TestContext.Current.CancellationToken);

        AssertProblem(response, 401);
        Assert.Empty(signer.Signed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public async Task MissingSubject_Is401AndSignsNothing(string? sub)
    {
        var response = await Handler.HandleAsync(Caller(sub: sub), """{"contentType":"image/jpeg","contentLength":10}""", "t", TestContext.Current.CancellationToken);

        AssertProblem(response, 401);
        Assert.Empty(signer.Signed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("api")]
    [InlineData("api uploads:read")]
    [InlineData("upload")]
    [InlineData("UPLOADS")]
    public async Task MissingUploadsScope_Is403AndSignsNothing(string? scope)
    {
        var response = await Handler.HandleAsync(Caller(scope: scope), """{"contentType":"image/jpeg","contentLength":10}""", "t", TestContext.Current.CancellationToken);

        AssertProblem(response, 403);
        Assert.Contains("insufficient_scope", response.Headers["WWW-Authenticate"], StringComparison.Ordinal);
        Assert.Empty(signer.Signed);
    }

    [Fact]
    public async Task ScopeAsScpClaimOrScopesList_IsAccepted()
    {
        var scp = new JwtAuthorizerContext(new Dictionary<string, string> { ["sub"] = UserId, ["scp"] = "[api uploads]" }, null);
        var list = new JwtAuthorizerContext(new Dictionary<string, string> { ["sub"] = UserId }, ["api", "uploads"]);
        var body = """{"contentType":"image/jpeg","contentLength":10}""";

        Assert.Equal(200, (await Handler.HandleAsync(scp, body, null, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(200, (await Handler.HandleAsync(list, body, null, TestContext.Current.CancellationToken)).StatusCode);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    [InlineData("user@example.com")]
    public async Task SubjectThatCannotBeAKeySegment_Is403AndSignsNothing(string sub)
    {
        var response = await Handler.HandleAsync(Caller(sub: sub), """{"contentType":"image/jpeg","contentLength":10}""", "t", TestContext.Current.CancellationToken);

        AssertProblem(response, 403);
        Assert.Empty(signer.Signed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"contentType\":")]
    [InlineData("{'contentType':'image/jpeg'}")]
    public async Task BodyThatIsNotJson_Is400AndSignsNothing(string? body)
    {
        var response = await Handler.HandleAsync(Caller(), body, "trace-9", TestContext.Current.CancellationToken);

        var problem = AssertProblem(response, 400);
        Assert.Equal("trace-9", problem.GetProperty("traceId").GetString());
        Assert.Empty(signer.Signed);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"image/jpeg\"")]
    [InlineData("42")]
    public async Task JsonThatIsNotAnObject_Is400AndSignsNothing(string body)
    {
        var response = await Handler.HandleAsync(Caller(), body, null, TestContext.Current.CancellationToken);

        AssertProblem(response, 400);
        Assert.Empty(signer.Signed);
    }

    [Theory]
    [InlineData("""{"contentType":42,"contentLength":10}""", "contentType")]
    [InlineData("""{"contentType":["image/jpeg"],"contentLength":10}""", "contentType")]
    [InlineData("""{"contentType":"image/jpeg","contentLength":"10"}""", "contentLength")]
    [InlineData("""{"contentType":"image/jpeg","contentLength":10.5}""", "contentLength")]
    [InlineData("""{"contentType":"image/jpeg","contentLength":true}""", "contentLength")]
    [InlineData("""{"contentType":"image/jpeg","contentLength":99999999999999999999}""", "contentLength")]
    public async Task WrongTypes_Are400NamingTheFieldAndSignNothing(string body, string field)
    {
        var response = await Handler.HandleAsync(Caller(), body, null, TestContext.Current.CancellationToken);

        var problem = AssertProblem(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), response.Body);
        Assert.NotEmpty(messages.EnumerateArray());
        Assert.Empty(signer.Signed);
    }

    [Theory]
    [InlineData("""{"contentType":"image/jpeg","contentLength":0}""", "contentLength")]
    [InlineData("""{"contentType":"image/jpeg","contentLength":-5}""", "contentLength")]
    [InlineData("""{"contentType":"image/jpeg","contentLength":15728641}""", "contentLength")]
    [InlineData("""{"contentType":"image/jpeg"}""", "contentLength")]
    [InlineData("""{"contentType":"image/gif","contentLength":10}""", "contentType")]
    [InlineData("""{"contentType":"image/svg+xml","contentLength":10}""", "contentType")]
    [InlineData("""{"contentType":"image/heic","contentLength":10}""", "contentType")]
    [InlineData("""{"contentType":"image/jpeg; charset=x","contentLength":10}""", "contentType")]
    [InlineData("""{"contentLength":10}""", "contentType")]
    [InlineData("""{"contentType":null,"contentLength":10}""", "contentType")]
    public async Task InvalidValues_Are400NamingTheFieldAndSignNothing(string body, string field)
    {
        var response = await Handler.HandleAsync(Caller(), body, null, TestContext.Current.CancellationToken);

        var problem = AssertProblem(response, 400);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), response.Body);
        Assert.Single(errors.EnumerateObject());
        Assert.Empty(signer.Signed);
    }

    [Fact]
    public async Task EmptyObject_ListsBothFields()
    {
        var response = await Handler.HandleAsync(Caller(), "{}", null, TestContext.Current.CancellationToken);

        var errors = AssertProblem(response, 400).GetProperty("errors");
        Assert.Equal(["contentLength", "contentType"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    private static JsonElement AssertProblem(ApiGatewayHttpResponse response, int status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Headers["Content-Type"]);
        var problem = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        return problem;
    }
}
