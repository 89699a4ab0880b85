using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Auth;

/// <summary>The "Auth" section: who issues tokens, for whom, with which keys, for how long.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    /// <summary>The API's public base URL; API Gateway's JWT authorizer is configured with the same value.</summary>
    [Required(ErrorMessage = "Auth:Issuer is required (the API's public base URL, e.g. https://api.foodcommunity.example).")]
    public string Issuer { get; set; } = "";

    [Required(ErrorMessage = "Auth:Audience is required.")]
    public string Audience { get; set; } = "foodcommunity-api";

    /// <summary>PEM of the RSA private key that signs new tokens (e.g. injected from Secrets Manager).</summary>
    public string? SigningKeyPem { get; set; }

    /// <summary>File holding that PEM, when it is not given inline. In Development a key is generated here if missing.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>The key being rotated out: still published and accepted until the last token it signed expires.</summary>
    public string? PreviousSigningKeyPem { get; set; }

    public string? PreviousSigningKeyPath { get; set; }

    [Range(1, 60)]
    public int AccessTokenMinutes { get; set; } = 15;

    [Range(1, 365)]
    public int RefreshTokenDays { get; set; } = 30;

    /// <summary>
    /// However often a session is refreshed, it ends this long after its login (a copied refresh
    /// token that is used regularly does not live for ever); then the user signs in again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan SessionMaxLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// A refresh token presented again this soon after it was spent gets the same successor instead of
    /// ending the session: the client whose answer was lost retries (Okta's default is 30 s). Later,
    /// a spent token is a stolen copy and revokes the family.
    /// </summary>
    [Range(0, 300)]
    public int RefreshRetryGraceSeconds { get; set; } = 30;

    /// <summary>Tolerated clock difference between instances for nbf/exp; small, because tokens live 15 minutes.</summary>
    [Range(0, 120)]
    public int ClockSkewSeconds { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Issuer) && !Uri.TryCreate(Issuer, UriKind.Absolute, out _))
        {
            yield return new ValidationResult("Auth:Issuer must be an absolute URL.", [nameof(Issuer)]);
        }
    }
}
