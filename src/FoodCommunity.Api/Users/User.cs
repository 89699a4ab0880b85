namespace FoodCommunity.Api.Users;

/// <summary>An account. Counters are denormalised so a profile is one row read, and are kept exact by the features that change them.</summary>
public sealed class User
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Canonical lower-case form; the contract allows only [a-z0-9_.], so uniqueness is case-insensitive by construction.</summary>
    public required string Username { get; set; }

    /// <summary>As the user typed it, for display and mail.</summary>
    public required string Email { get; set; }

    /// <summary>Lower-cased, the form uniqueness and login look-ups use.</summary>
    public required string EmailNormalized { get; set; }

    public required string PasswordHash { get; set; }

    public required string DisplayName { get; set; }

    public string Bio { get; set; } = "";

    public string? AvatarKey { get; set; }

    public int PostCount { get; set; }

    public int FollowerCount { get; set; }

    public int FollowingCount { get; set; }

    /// <summary>Carried into access tokens as the "moderate" scope; granted by an operator command.</summary>
    public bool IsModerator { get; set; }

    /// <summary>
    /// Set when the user deletes the account: from then on the account is in no read (a query filter)
    /// while <see cref="AccountErasureWorker"/> erases its content, then the row itself.
    /// </summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Sign-in is refused until then; null when not suspended.</summary>
    public DateTimeOffset? SuspendedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}
