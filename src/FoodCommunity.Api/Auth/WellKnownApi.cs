using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Auth;

/// <summary>What API Gateway's JWT authorizer (and any OIDC client) reads to verify our tokens.</summary>
public static class WellKnownApi
{
    public static RouteGroupBuilder MapWellKnownApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/.well-known").WithTags("Identity").AllowAnonymous();
        group.MapGet("/openid-configuration", GetOpenIdConfiguration).WithName("GetOpenIdConfiguration")
            .WithSummary("OIDC discovery: the issuer and where its public keys are.");
        group.MapGet("/jwks.json", GetJwks).WithName("GetJwks")
            .WithSummary("The RSA public keys access tokens are signed with: the current key and, during rotation, the previous one.");
        return group;
    }

    public static Ok<OpenIdConfiguration> GetOpenIdConfiguration(IOptions<AuthOptions> options, HttpContext http)
    {
        var issuer = options.Value.Issuer.TrimEnd('/');
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(new OpenIdConfiguration(
            options.Value.Issuer,
            $"{issuer}/.well-known/jwks.json",
            $"{issuer}/api/v1/auth/login",
            ["RS256"],
            ["public"],
            ["token"],
            AccessTokens.Scopes.Split(' ')));
    }

    public static Ok<JsonWebKeySet> GetJwks(SigningKeys keys, HttpContext http)
    {
        // Short enough that a rotated-in key is picked up well before it signs anything that matters.
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(new JsonWebKeySet(keys.PublicJwks));
    }
}

public sealed record JsonWebKeySet(IReadOnlyList<PublicJwk> Keys);

public sealed record OpenIdConfiguration(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("jwks_uri")] string JwksUri,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("id_token_signing_alg_values_supported")] IReadOnlyList<string> SigningAlgorithms,
    [property: JsonPropertyName("subject_types_supported")] IReadOnlyList<string> SubjectTypes,
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypes,
    [property: JsonPropertyName("scopes_supported")] IReadOnlyList<string> Scopes);
