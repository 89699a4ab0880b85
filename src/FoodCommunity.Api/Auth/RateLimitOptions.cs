using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Auth;

/// <summary>
/// The "RateLimits" section: fixed windows counted in Redis, so every API instance shares them.
/// Per client IP stops one source hammering many accounts; per account name stops many sources
/// guessing one account's password.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    [Required]
    public RateLimitRule RegisterPerIp { get; set; } = new() { PermitLimit = 20, WindowSeconds = 3600 };

    [Required]
    public RateLimitRule RegisterPerUsername { get; set; } = new() { PermitLimit = 5, WindowSeconds = 3600 };

    [Required]
    public RateLimitRule LoginPerIp { get; set; } = new() { PermitLimit = 60, WindowSeconds = 60 };

    [Required]
    public RateLimitRule LoginPerAccount { get; set; } = new() { PermitLimit = 10, WindowSeconds = 300 };

    [Required]
    public RateLimitRule RefreshPerIp { get; set; } = new() { PermitLimit = 120, WindowSeconds = 60 };

    [Required]
    public RateLimitRule RefreshPerSession { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };
}

public sealed class RateLimitRule
{
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; }

    [Range(1, 86_400)]
    public int WindowSeconds { get; set; }
}
