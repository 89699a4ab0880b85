namespace FoodCommunity.Api.Moderation;

/// <summary>What a moderator did, kept for operators to audit: who, what, to which post or user, when and why.</summary>
public sealed class ModerationAction
{
    public const string HidePost = "hide-post";
    public const string DismissReports = "dismiss-reports";
    public const string SuspendUser = "suspend-user";
    public const string GrantModerator = "grant-moderator";
    public const string RevokeModerator = "revoke-moderator";

    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Null for an operator's command (granting or revoking the role).</summary>
    public Guid? ModeratorId { get; init; }

    public required string Action { get; init; }

    public Guid? PostId { get; init; }

    public Guid? UserId { get; init; }

    public string Reason { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }
}
