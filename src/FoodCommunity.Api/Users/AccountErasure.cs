namespace FoodCommunity.Api.Users;

/// <summary>
/// A deleted account being erased in the background: which step it has reached, so the work resumes
/// where it stopped after a restart, and which instance holds it (a lease that expires if it dies).
/// </summary>
public sealed class AccountErasure
{
    public Guid UserId { get; init; }

    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>The next step to run (see <see cref="AccountErasureWorker"/>); "done" at the end.</summary>
    public required string Step { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}
