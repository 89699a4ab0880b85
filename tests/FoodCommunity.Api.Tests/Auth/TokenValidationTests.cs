using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using FoodCommunity.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FoodCommunity.Api.Tests.Auth;

/// <summary>Every forged, stale or misdirected token is refused; only the real thing opens /me.</summary>
public sealed class TokenValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public enum Attack
    {
        None,
        NoToken,
        AlgNone,
        Hs256WithThePublicKey,
        Expired,
        NotYetValid,
        WrongIssuer,
        WrongAudience,
        UnknownKid,
        TamperedPayload,
        NoApiScope,
    }

    [Theory]
    [InlineData(Attack.NoToken)]
    [InlineData(Attack.AlgNone)]
    [InlineData(Attack.Hs256WithThePublicKey)]
    [InlineData(Attack.Expired)]
    [InlineData(Attack.NotYetValid)]
    [InlineData(Attack.WrongIssuer)]
    [InlineData(Attack.WrongAudience)]
    [InlineData(Attack.UnknownKid)]
    [InlineData(Attack.TamperedPayload)]
    public async Task Me_WithAnAttackersToken_Answers401ProblemDetails(Attack attack)
    {
        var genuine = await _client.RegisterAsync();
        var token = Forge(attack, genuine.User.Id, genuine.AccessToken);

        using var control = await _client.GetAsync("/api/v1/me", Forge(Attack.None, genuine.User.Id, genuine.AccessToken)!);
        using var response = token is null
            ? await _client.GetAsync("/api/v1/me", Ct)
            : await _client.GetAsync("/api/v1/me", token);

        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Me_WithAValidTokenWithoutTheApiScope_Answers403()
    {
        var genuine = await _client.RegisterAsync();

        using var response = await _client.GetAsync("/api/v1/me", Forge(Attack.NoApiScope, genuine.User.Id, genuine.AccessToken)!);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task PublishedJwks_AloneVerifiesAnIssuedToken_AsApiGatewayWould()
    {
        var genuine = await _client.RegisterAsync();
        using var discovery = await _client.GetAsync("/.well-known/openid-configuration", Ct);
        var configuration = await discovery.ReadJsonAsync();
        Assert.Equal(ApiFactory.TestIssuer, configuration.GetProperty("issuer").GetString());
        var jwksPath = new Uri(configuration.GetProperty("jwks_uri").GetString()!).AbsolutePath;
        using var jwksResponse = await _client.GetAsync(jwksPath, Ct);
        var jwks = await jwksResponse.ReadJsonAsync();

        // Only n and e from the published JSON: no access to the API's own key objects.
        var keys = jwks.GetProperty("keys").EnumerateArray().Select(jwk =>
        {
            Assert.Equal("RSA", jwk.GetProperty("kty").GetString());
            Assert.False(jwk.TryGetProperty("d", out _), "the JWKS must not publish private parts");
            var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("n").GetString()),
                Exponent = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("e").GetString()),
            });
            return new RsaSecurityKey(rsa) { KeyId = jwk.GetProperty("kid").GetString() };
        }).ToList();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(genuine.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = ApiFactory.TestIssuer,
            ValidAudience = "foodcommunity-api",
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(genuine.User.Id, result.Claims["sub"]);
    }

    [Fact]
    public async Task KeyRotation_PublishesBothKeys_AndTokensOfEitherKeyAreAccepted()
    {
        var oldKeyToken = (await _client.RegisterAsync()).AccessToken;
        using var newKey = RSA.Create(2048);
        await using var rotated = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?>
        {
            ["Auth:SigningKeyPem"] = newKey.ExportPkcs8PrivateKeyPem(),
            ["Auth:PreviousSigningKeyPem"] = api.Isolation.SigningKeyPem,
        });
        using var client = rotated.CreateClient();

        var newKeyToken = (await client.RegisterAsync()).AccessToken;
        using var jwks = await client.GetAsync("/.well-known/jwks.json", Ct);
        using var withOld = await client.GetAsync("/api/v1/me", oldKeyToken);
        using var withNew = await client.GetAsync("/api/v1/me", newKeyToken);

        var kids = (await jwks.ReadJsonAsync()).GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Equal(2, kids.Count);
        Assert.Contains(new JsonWebToken(oldKeyToken).Kid, kids);
        Assert.Contains(new JsonWebToken(newKeyToken).Kid, kids);
        Assert.NotEqual(new JsonWebToken(oldKeyToken).Kid, new JsonWebToken(newKeyToken).Kid);
        Assert.Equal(HttpStatusCode.OK, withOld.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
    }

    /// <summary>Builds the token an attacker would send; <see cref="Attack.None"/> is a correctly signed control.</summary>
    private string? Forge(Attack attack, string userId, string genuineToken)
    {
        var kid = new JsonWebToken(genuineToken).Kid;
        using var apiKey = RSA.Create();
        apiKey.ImportFromPem(api.Isolation.SigningKeyPem);
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = ApiFactory.TestIssuer,
            Audience = "foodcommunity-api",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(15),
            Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("jti", Guid.NewGuid().ToString("N")), new Claim("scope", "api uploads")]),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(apiKey) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
        };

        switch (attack)
        {
            case Attack.NoToken:
                return null;
            case Attack.AlgNone:
                return Segment("""{"alg":"none","typ":"JWT"}""") + "." + Segment(
                    $$"""{"iss":"{{ApiFactory.TestIssuer}}","aud":"foodcommunity-api","sub":"{{userId}}","scope":"api uploads","exp":{{new DateTimeOffset(now.AddMinutes(15)).ToUnixTimeSeconds()}}}""") + ".";
            case Attack.Hs256WithThePublicKey:
                // The classic key-confusion attack: HMAC keyed with the RSA public key a verifier might misuse.
                var publicKeyBytes = Encoding.UTF8.GetBytes(apiKey.ExportSubjectPublicKeyInfoPem());
                descriptor.SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(publicKeyBytes) { KeyId = kid }, SecurityAlgorithms.HmacSha256);
                break;
            case Attack.Expired:
                descriptor.IssuedAt = descriptor.NotBefore = now.AddMinutes(-30);
                descriptor.Expires = now.AddMinutes(-5);
                break;
            case Attack.NotYetValid:
                descriptor.NotBefore = now.AddMinutes(5);
                descriptor.Expires = now.AddMinutes(20);
                break;
            case Attack.WrongIssuer:
                descriptor.Issuer = "https://evil.example";
                break;
            case Attack.WrongAudience:
                descriptor.Audience = "some-other-api";
                break;
            case Attack.UnknownKid:
                var stranger = RSA.Create(2048);
                descriptor.SigningCredentials = new SigningCredentials(new RsaSecurityKey(stranger) { KeyId = "unknown-kid" }, SecurityAlgorithms.RsaSha256);
                break;
            case Attack.TamperedPayload:
                var parts = genuineToken.Split('.');
                var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]));
                var other = Guid.CreateVersion7().ToString();
                return $"{parts[0]}.{Segment(payload.Replace(userId, other, StringComparison.Ordinal))}.{parts[2]}";
            case Attack.NoApiScope:
                descriptor.Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("scope", "uploads")]);
                break;
        }

        return Handler.CreateToken(descriptor);
    }

    private static string Segment(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
}
