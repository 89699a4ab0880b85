using System.Net;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>An API whose client is served from another origin (Cors:AllowedOrigins set).</summary>
public sealed class CorsApi : IAsyncLifetime
{
    public const string ClientOrigin = "https://app.foodcommunity.test";

    public ApiFactory Api { get; } = ApiFactory.WithOwnState(new Dictionary<string, string?>
    {
        // The comma-separated form, as an environment variable would give it.
        ["Cors:AllowedOrigins"] = $"{ClientOrigin}, http://localhost:5173",
    });

    public ValueTask InitializeAsync() => Api.InitializeAsync();

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}

public sealed class CorsTests(CorsApi cors) : IClassFixture<CorsApi>
{
    private static HttpRequestMessage Preflight(string origin, string path = "/api/v1/posts")
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization, content-type, idempotency-key");
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static List<string> CorsHeaders(HttpResponseMessage response) =>
        response.Headers.Select(h => h.Key).Where(k => k.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).ToList();

    [Fact]
    public async Task Preflight_FromAllowedOrigin_AllowsTheClientsMethodAndHeaders()
    {
        using var client = cors.Api.CreateClient();

        using var response = await client.SendAsync(Preflight(CorsApi.ClientOrigin), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(CorsApi.ClientOrigin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods") ?? "", StringComparison.Ordinal);
        var allowedHeaders = (Header(response, "Access-Control-Allow-Headers") ?? "").ToLowerInvariant();
        foreach (var name in new[] { "authorization", "content-type", "idempotency-key" })
        {
            Assert.Contains(name, allowedHeaders, StringComparison.Ordinal);
        }

        // Tokens go in the Authorization header, never in cookies.
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Preflight_FromTheSecondListedOrigin_IsAllowedToo()
    {
        using var client = cors.Api.CreateClient();

        using var response = await client.SendAsync(Preflight("http://localhost:5173"), TestContext.Current.CancellationToken);

        Assert.Equal("http://localhost:5173", Header(response, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://app.foodcommunity.test.evil.example")]
    [InlineData("http://app.foodcommunity.test")]
    public async Task Preflight_FromAnotherOrigin_GetsNoCorsHeaders(string origin)
    {
        using var client = cors.Api.CreateClient();

        using var response = await client.SendAsync(Preflight(origin), TestContext.Current.CancellationToken);

        Assert.Empty(CorsHeaders(response));
    }

    [Fact]
    public async Task Request_FromAllowedOrigin_ExposesRetryAfterAndLocation_EvenOnAnError()
    {
        using var client = cors.Api.CreateClient();
        using var feed = new HttpRequestMessage(HttpMethod.Get, "/api/v1/feed/latest");
        feed.Headers.Add("Origin", CorsApi.ClientOrigin);
        // An error answer the client must be able to read (its problem document, its headers).
        using var unauthorized = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notifications/unread-count");
        unauthorized.Headers.Add("Origin", CorsApi.ClientOrigin);

        using var ok = await client.SendAsync(feed, TestContext.Current.CancellationToken);
        using var denied = await client.SendAsync(unauthorized, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        foreach (var response in new[] { ok, denied })
        {
            Assert.Equal(CorsApi.ClientOrigin, Header(response, "Access-Control-Allow-Origin"));
            var exposed = (Header(response, "Access-Control-Expose-Headers") ?? "").ToLowerInvariant();
            Assert.Contains("retry-after", exposed, StringComparison.Ordinal);
            Assert.Contains("location", exposed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithoutAllowedOrigins_NoOriginGetsCorsHeaders()
    {
        await using var plain = await ApiFactory.SharingStateWithAsync(cors.Api);
        using var client = plain.CreateClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/v1/feed/latest");
        get.Headers.Add("Origin", CorsApi.ClientOrigin);

        using var preflight = await client.SendAsync(Preflight(CorsApi.ClientOrigin), TestContext.Current.CancellationToken);
        using var response = await client.SendAsync(get, TestContext.Current.CancellationToken);

        Assert.Empty(CorsHeaders(preflight));
        Assert.Empty(CorsHeaders(response));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://app.foodcommunity.test/")]
    [InlineData("https://app.foodcommunity.test/client")]
    [InlineData("app.foodcommunity.test")]
    public async Task Start_WithAMalformedOrigin_FailsNamingIt(string origin)
    {
        await using var misconfigured = await ApiFactory.SharingStateWithAsync(cors.Api, new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = origin });

        var error = Assert.Throws<OptionsValidationException>(() => misconfigured.CreateClient());

        Assert.Contains("Cors:AllowedOrigins", error.Message, StringComparison.Ordinal);
        Assert.Contains(origin, error.Message, StringComparison.Ordinal);
    }
}
