using System.Security.Claims;
using FoodCommunity.Presign.Lambda.Events;
using FoodCommunity.Presign.Lambda.Uploads;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FoodCommunity.Presign.Lambda.Local;

/// <summary>The outcome of checking a bearer token: the authorizer context to pass on, or the status to refuse with.</summary>
public sealed record AuthorizerOutcome(JwtAuthorizerContext? Context, int Status, string? Detail)
{
    public bool Succeeded => Context is not null;
}

/// <summary>
/// What the API Gateway HTTP API JWT authorizer does before the function runs, for the local host: a bearer
/// token signed with RS256 by a key in the issuer's JWKS, the exact issuer, an allowed audience, inside its
/// lifetime, with the route's scope. The cryptography is Microsoft.IdentityModel's.
/// </summary>
public sealed class JwtAuthorizer(JwksCache jwks, LocalAuthSettings settings)
{
    /// <summary>Tolerates small clock differences between this host and the issuer, as the authorizer does.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    // MapInboundClaims off: claim names stay as in the token (sub, scope), as the authorizer passes them.
    private readonly JsonWebTokenHandler tokens = new() { MapInboundClaims = false };

    public async Task<AuthorizerOutcome> AuthorizeAsync(string? authorizationHeader, CancellationToken cancellationToken)
    {
        const string scheme = "Bearer ";
        if (authorizationHeader is null
            || !authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrWhiteSpace(authorizationHeader[scheme.Length..]))
        {
            return Refused(401, "A bearer token is required.");
        }

        var token = authorizationHeader[scheme.Length..].Trim();
        var result = await ValidateAsync(token, await jwks.GetKeysAsync(cancellationToken));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && await jwks.TryRefreshAsync(cancellationToken))
        {
            result = await ValidateAsync(token, await jwks.GetKeysAsync(cancellationToken));
        }

        if (!result.IsValid)
        {
            return Refused(401, "The bearer token is not valid.");
        }

        var claims = ToAuthorizerClaims(result.ClaimsIdentity.Claims);
        var scopes = claims.TryGetValue("scope", out var scope) ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        if (!scopes.Contains(PresignHandler.RequiredScope, StringComparer.Ordinal))
        {
            // The authorizer answers a valid token without the route's scope with 403.
            return Refused(403, $"The token lacks the '{PresignHandler.RequiredScope}' scope.");
        }

        return new AuthorizerOutcome(new JwtAuthorizerContext(claims, scopes), 200, null);
    }

    private Task<TokenValidationResult> ValidateAsync(string token, IReadOnlyList<SecurityKey> keys) =>
        tokens.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudiences = settings.Audiences,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            IssuerSigningKeys = keys,
            // The kid must name a key: trying every key would hide a rotation and waste work on forged tokens.
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = ClockSkew,
        });

    /// <summary>Claims as the authorizer passes them: one string each; a claim given several times becomes "[a b]".</summary>
    private static Dictionary<string, string> ToAuthorizerClaims(IEnumerable<Claim> claims) =>
        claims
            .GroupBy(c => c.Type, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.Count() == 1 ? g.First().Value : "[" + string.Join(' ', g.Select(c => c.Value)) + "]",
                StringComparer.Ordinal);

    private static AuthorizerOutcome Refused(int status, string detail) => new(null, status, detail);
}
