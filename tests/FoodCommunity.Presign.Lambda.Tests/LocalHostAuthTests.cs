using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FoodCommunity.Presign.Lambda.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>The local host's stand-in for the API Gateway JWT authorizer, over real HTTP.</summary>
public sealed class LocalHostAuthTests : IAsyncLifetime
{
    private static readonly object ValidBody = new { contentType = "image/jpeg", contentLength = 1000 };

    /// <summary>The web client's origin, allowed as the HTTP API's CorsConfiguration allows it.</summary>
    private const string WebOrigin = "http://app.example.test";

    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private TestIssuer issuer = null!;
    private WebApplication host = null!;

    public async ValueTask InitializeAsync()
    {
        issuer = await TestIssuer.StartAsync();
        host = await StartHostAsync(issuer, audience: "another-client," + TestIssuer.Audience);
        http.BaseAddress = new Uri(host.Urls.Single());
    }

    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync();
        await issuer.DisposeAsync();
        http.Dispose();
    }

    [Fact]
    public async Task ValidToken_GetsAFormForItsSubject()
    {
        using var response = await PostAsync(issuer.CreateToken());

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var form = PresignedForm.Parse(body);
        Assert.StartsWith($"uploads/{TestIssuer.UserId}/", form.Key, StringComparison.Ordinal);
        Assert.Equal("image/jpeg", form.Fields["Content-Type"]);
    }

    [Fact]
    public async Task TokenForAnotherAllowedAudience_IsAccepted()
    {
        using var response = await PostAsync(issuer.CreateToken(audience: "another-client"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ValidTokenWithBadBody_GetsTheFunctions400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = new StringContent("""{"contentType":"image/gif","contentLength":0}""") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issuer.CreateToken());

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("contentType", out _));
        Assert.True(errors.TryGetProperty("contentLength", out _));
    }

    [Fact]
    public async Task NoToken_Is401WithBearerChallenge()
    {
        using var response = await http.PostAsJsonAsync("/uploads", ValidBody, TestContext.Current.CancellationToken);

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UnsignedAlgNoneToken_Is401()
    {
        using var response = await PostAsync(issuer.CreateUnsignedToken());

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Hs256Token_Is401()
    {
        // The classic confusion attack signs with the public key's bytes as an HMAC secret; any shared secret must fail.
        var secret = new SymmetricSecurityKey(issuer.SigningKey.Rsa.ExportRSAPublicKey()) { KeyId = "k1" };

        using var response = await PostAsync(issuer.CreateToken(key: secret, algorithm: SecurityAlgorithms.HmacSha256));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ExpiredToken_Is401()
    {
        var longAgo = DateTime.UtcNow.AddMinutes(-30);

        using var response = await PostAsync(issuer.CreateToken(notBefore: longAgo, expires: longAgo.AddMinutes(15)));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenNotYetValid_Is401()
    {
        var later = DateTime.UtcNow.AddMinutes(10);

        using var response = await PostAsync(issuer.CreateToken(notBefore: later, expires: later.AddMinutes(15)));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task WrongIssuer_Is401()
    {
        using var response = await PostAsync(issuer.CreateToken(issuer: issuer.Issuer + "/evil"));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task WrongAudience_Is401()
    {
        using var response = await PostAsync(issuer.CreateToken(audience: "someone-else"));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task MissingUploadsScope_Is403()
    {
        using var response = await PostAsync(issuer.CreateToken(scope: "api"));

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("insufficient_scope", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidTokenWithoutSubject_Is401FromTheFunction()
    {
        using var response = await PostAsync(issuer.CreateToken(subject: null));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UnknownKid_Is401AndRefetchesTheJwksAtMostOnceInAWhile()
    {
        using (var warmUp = await PostAsync(issuer.CreateToken()))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var stranger = TestIssuer.NewKey("k-unknown");
        var fetchesBefore = issuer.JwksRequests;

        using var first = await PostAsync(issuer.CreateToken(key: stranger));
        using var second = await PostAsync(issuer.CreateToken(key: stranger));

        await AssertRefusedAsync(first, HttpStatusCode.Unauthorized);
        await AssertRefusedAsync(second, HttpStatusCode.Unauthorized);
        Assert.Equal(fetchesBefore + 1, issuer.JwksRequests);
    }

    [Fact]
    public async Task KeyRotatedInAfterStart_IsPickedUpOnItsFirstToken()
    {
        using (var warmUp = await PostAsync(issuer.CreateToken()))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var rotated = TestIssuer.NewKey("k2");
        issuer.Publish(rotated);

        using var response = await PostAsync(issuer.CreateToken(key: rotated));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task IssuerJwksDown_Is503()
    {
        await using var orphan = await StartHostAsync(issuer, TestIssuer.Audience, jwksUrl: new Uri("http://127.0.0.1:9/.well-known/jwks.json"));
        using var client = new HttpClient { BaseAddress = new Uri(orphan.Urls.Single()) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = JsonContent.Create(ValidBody) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issuer.CreateToken());

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task BrowserPreflightFromTheWebOrigin_IsAllowedForPostWithAuthorization()
    {
        using var response = await PreflightAsync(WebOrigin);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(WebOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Contains("authorization", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BrowserPreflightFromAnotherOrigin_GetsNoCorsAllowance()
    {
        using var response = await PreflightAsync("http://elsewhere.example.test");

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task PostFromTheWebOrigin_CarriesTheCorsAllowance()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = JsonContent.Create(ValidBody) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issuer.CreateToken());
        request.Headers.Add("Origin", WebOrigin);

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(WebOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public void MissingIssuerSetting_StopsTheHostAtStart()
    {
        var error = Assert.Throws<InvalidOperationException>(() => LocalHost.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:BucketName"] = "b" });
        }));

        Assert.Contains("Auth:Issuer", error.Message, StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartHostAsync(TestIssuer issuer, string audience, Uri? jwksUrl = null)
    {
        var endpoint = await TestStorage.GetAsync();
        var app = LocalHost.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Configuration.AddConfiguration(TestStorage.Configuration(endpoint.Settings));
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Auth:Issuer"] = issuer.Issuer,
                ["Auth:Audience"] = audience,
                ["Auth:JwksUrl"] = (jwksUrl ?? issuer.JwksUrl).ToString(),
                [LocalHost.AllowedOriginsKey] = WebOrigin,
            });
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private async Task<HttpResponseMessage> PreflightAsync(string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/uploads");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<HttpResponseMessage> PostAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = JsonContent.Create(ValidBody) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("\"key\"", problem.GetRawText(), StringComparison.Ordinal);
    }
}
