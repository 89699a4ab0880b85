using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FoodCommunity.Api.Auth;

/// <summary>Issues the RS256 access tokens the API and API Gateway's JWT authorizer both accept.</summary>
public sealed class AccessTokens(SigningKeys keys, IOptions<AuthOptions> options, TimeProvider clock)
{
    /// <summary>api: this API; uploads: the presign function behind API Gateway.</summary>
    public const string Scopes = "api uploads";

    /// <summary>Added for moderators: the moderation endpoints require it.</summary>
    public const string ModerateScope = "moderate";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public int LifetimeSeconds => options.Value.AccessTokenMinutes * 60;

    public string Issue(Guid userId, bool moderator = false)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddSeconds(LifetimeSeconds),
            SigningCredentials = keys.Current,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
                new Claim("scope", moderator ? $"{Scopes} {ModerateScope}" : Scopes),
            ]),
        });
    }

    /// <summary>The JwtBearer settings: RS256 only, this issuer and audience, known key ids only, lifetime enforced.</summary>
    public static TokenValidationParameters ValidationParameters(AuthOptions options, SigningKeys keys) => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = options.Audience,
        IssuerSigningKeys = keys.ValidationKeys,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        // A token whose kid names no published key is refused, not tried against every key.
        TryAllIssuerSigningKeys = false,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        ClockSkew = TimeSpan.FromSeconds(options.ClockSkewSeconds),
        NameClaimType = JwtRegisteredClaimNames.Sub,
    };
}
