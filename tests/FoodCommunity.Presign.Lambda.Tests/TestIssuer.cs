using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>
/// Stands in for the API's token issuer: an RSA key made in the test, a JWKS served over HTTP as the API serves
/// <c>/.well-known/jwks.json</c>, and tokens shaped like the API's access tokens.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string Audience = "foodcommunity-api";
    public const string UserId = "01a21f0b-5b36-764d-bbcf-e56012e01923";

    private readonly WebApplication jwksServer;
    private readonly List<RsaSecurityKey> published = [];
    private int jwksRequests;

    private TestIssuer(WebApplication jwksServer) => this.jwksServer = jwksServer;

    public string Issuer { get; } = "https://api.foodcommunity.test";

    public Uri JwksUrl { get; private set; } = null!;

    public RsaSecurityKey SigningKey { get; } = NewKey("k1");

    public int JwksRequests => Volatile.Read(ref jwksRequests);

    public static async Task<TestIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var issuer = new TestIssuer(builder.Build());
        issuer.published.Add(issuer.SigningKey);
        issuer.jwksServer.MapGet("/.well-known/jwks.json", issuer.ServeJwks);
        await issuer.jwksServer.StartAsync();
        issuer.JwksUrl = new Uri(new Uri(issuer.jwksServer.Urls.Single()), "/.well-known/jwks.json");
        return issuer;
    }

    public static RsaSecurityKey NewKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    /// <summary>Puts another key into the JWKS, as the API does when it rotates keys.</summary>
    public void Publish(RsaSecurityKey key)
    {
        lock (published)
        {
            published.Add(key);
        }
    }

    public string CreateToken(
        SecurityKey? key = null,
        string algorithm = SecurityAlgorithms.RsaSha256,
        string? issuer = null,
        string audience = Audience,
        string scope = "api uploads",
        DateTime? expires = null,
        DateTime? notBefore = null,
        string? subject = UserId)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["scope"] = scope,
            ["jti"] = Guid.NewGuid().ToString(),
        };
        if (subject is not null)
        {
            claims["sub"] = subject;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = (notBefore ?? now).AddSeconds(-1),
            NotBefore = notBefore ?? now.AddSeconds(-1),
            Expires = expires ?? now.AddMinutes(15),
            SigningCredentials = new SigningCredentials(key ?? SigningKey, algorithm),
        });
    }

    /// <summary>A token with <c>alg: none</c> and no signature, claiming everything a valid one does.</summary>
    public string CreateUnsignedToken()
    {
        var signed = new JsonWebToken(CreateToken());
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT","kid":"k1"}""");
        return $"{header}.{signed.EncodedPayload}.";
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await jwksServer.StopAsync(timeout.Token);
        await jwksServer.DisposeAsync();
    }

    private async Task ServeJwks(HttpContext context)
    {
        Interlocked.Increment(ref jwksRequests);
        List<JsonWebKey> keys;
        lock (published)
        {
            keys = [.. published.Select(JsonWebKeyConverter.ConvertFromRSASecurityKey)];
        }

        // Only the public parts, as the API publishes them.
        var jwks = new
        {
            keys = keys.Select(k => new { kty = k.Kty, use = "sig", alg = "RS256", kid = k.Kid, n = k.N, e = k.E }),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(jwks), Encoding.UTF8);
    }
}
