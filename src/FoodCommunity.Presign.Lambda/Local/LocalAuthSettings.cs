using Microsoft.Extensions.Configuration;

namespace FoodCommunity.Presign.Lambda.Local;

/// <summary>
/// What the API Gateway JWT authorizer is configured with in the deployment: the issuer (the API's public URL),
/// the accepted audiences and where the signing keys are. Read from <c>Auth__JwksUrl</c>, <c>Auth__Issuer</c>
/// and <c>Auth__Audience</c> (comma-separated).
/// </summary>
public sealed record LocalAuthSettings(Uri JwksUrl, string Issuer, IReadOnlyList<string> Audiences)
{
    public const string DefaultAudience = "foodcommunity-api";

    public static LocalAuthSettings FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Auth");
        var issuer = section["Issuer"];
        if (string.IsNullOrWhiteSpace(issuer))
        {
            throw new InvalidOperationException("Auth:Issuer is required (environment variable Auth__Issuer): the API's public URL.");
        }

        var jwks = section["JwksUrl"];
        if (string.IsNullOrWhiteSpace(jwks))
        {
            jwks = issuer.TrimEnd('/') + "/.well-known/jwks.json";
        }

        if (!Uri.TryCreate(jwks, UriKind.Absolute, out var jwksUrl) || jwksUrl.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"Auth:JwksUrl must be an absolute http(s) URL, not '{jwks}'.");
        }

        var audiences = (section["Audience"] ?? DefaultAudience)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (audiences.Length == 0)
        {
            throw new InvalidOperationException("Auth:Audience must name at least one audience.");
        }

        return new LocalAuthSettings(jwksUrl, issuer, audiences);
    }
}
