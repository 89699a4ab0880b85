using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Users;

/// <summary>The "Accounts" section: how a deleted account is erased.</summary>
public sealed class AccountOptions
{
    public const string SectionName = "Accounts";

    /// <summary>
    /// How long a deleted account's username stays reserved (nobody can take it over and pose as its
    /// owner) after the content is erased; then the row goes and the name is free.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan UsernameHold { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Likes acknowledged before the deletion reach MySQL within seconds; the erasure waits this long for them.</summary>
    [Range(1, 600)]
    public int LikeSettleSeconds { get; set; } = 10;

    /// <summary>An instance erasing an account holds it this long per step; if it dies, another takes over after it.</summary>
    [Range(1, 3600)]
    public int ErasureLeaseSeconds { get; set; } = 60;

    [Range(1, 3600)]
    public int ErasureIntervalSeconds { get; set; } = 5;
}
