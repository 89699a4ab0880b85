using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Auth;

/// <summary>
/// The "RateLimits" section: fixed windows counted in Redis, so every API instance shares them.
/// Sign-up and refresh are limited per client network; sign-in counts failures (see
/// <see cref="SignInThrottle"/>); every write is limited per user (see <see cref="UserWriteLimits"/>).
/// The defaults are the documented budgets (README, "Rate limits").
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    [Required]
    public RateLimitRule RegisterPerIp { get; set; } = new() { PermitLimit = 20, WindowSeconds = 3600 };

    [Required]
    public RateLimitRule RegisterPerUsername { get; set; } = new() { PermitLimit = 5, WindowSeconds = 3600 };

    /// <summary>Every sign-in attempt from one network, right or wrong.</summary>
    [Required]
    public RateLimitRule LoginPerIp { get; set; } = new() { PermitLimit = 60, WindowSeconds = 60 };

    /// <summary>Failed sign-ins to one account from one network.</summary>
    [Required]
    public RateLimitRule LoginFailuresPerAccountNetwork { get; set; } = new() { PermitLimit = 10, WindowSeconds = 900 };

    /// <summary>Failed sign-ins to one account from networks it has never signed in from: stops a distributed guesser.</summary>
    [Required]
    public RateLimitRule LoginFailuresPerAccount { get; set; } = new() { PermitLimit = 100, WindowSeconds = 3600 };

    [Required]
    public RateLimitRule RefreshPerIp { get; set; } = new() { PermitLimit = 120, WindowSeconds = 60 };

    [Required]
    public RateLimitRule RefreshPerSession { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };

    /// <summary>Password-reset requests from one network.</summary>
    [Required]
    public RateLimitRule PasswordResetPerIp { get; set; } = new() { PermitLimit = 10, WindowSeconds = 3600 };

    /// <summary>Password-reset requests for one address (by its hash), known or not.</summary>
    [Required]
    public RateLimitRule PasswordResetPerAddress { get; set; } = new() { PermitLimit = 3, WindowSeconds = 3600 };

    [Required]
    public RateLimitRule PostsPerUser { get; set; } = new() { PermitLimit = 30, WindowSeconds = 3600 };

    [Required]
    public RateLimitRule CommentsPerUser { get; set; } = new() { PermitLimit = 60, WindowSeconds = 600 };

    /// <summary>Likes and unlikes together.</summary>
    [Required]
    public RateLimitRule LikesPerUser { get; set; } = new() { PermitLimit = 300, WindowSeconds = 300 };

    /// <summary>Follows and unfollows together.</summary>
    [Required]
    public RateLimitRule FollowsPerUser { get; set; } = new() { PermitLimit = 200, WindowSeconds = 3600 };

    [Required]
    public RateLimitRule ReportsPerUser { get; set; } = new() { PermitLimit = 30, WindowSeconds = 3600 };

    [Required]
    public RateLimitRule ProfileEditsPerUser { get; set; } = new() { PermitLimit = 30, WindowSeconds = 3600 };

    public RateLimitRule RuleFor(string? policy) => policy switch
    {
        AuthRateLimits.RegisterPerIp => RegisterPerIp,
        AuthRateLimits.RegisterPerUsername => RegisterPerUsername,
        AuthRateLimits.LoginPerIp => LoginPerIp,
        AuthRateLimits.RefreshPerIp => RefreshPerIp,
        AuthRateLimits.RefreshPerSession => RefreshPerSession,
        AuthRateLimits.PasswordResetPerIp => PasswordResetPerIp,
        AuthRateLimits.PasswordResetPerAddress => PasswordResetPerAddress,
        UserWriteLimits.Posts => PostsPerUser,
        UserWriteLimits.Comments => CommentsPerUser,
        UserWriteLimits.Likes => LikesPerUser,
        UserWriteLimits.Follows => FollowsPerUser,
        UserWriteLimits.Reports => ReportsPerUser,
        UserWriteLimits.ProfileEdits => ProfileEditsPerUser,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown rate-limit policy."),
    };
}

public sealed class RateLimitRule
{
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; }

    [Range(1, 86_400)]
    public int WindowSeconds { get; set; }
}
