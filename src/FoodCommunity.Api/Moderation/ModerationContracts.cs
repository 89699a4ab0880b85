using FoodCommunity.Api.Posts;

namespace FoodCommunity.Api.Moderation;

/// <summary>A reported post in the moderation queue: its open reports, counted, with their reasons.</summary>
public sealed record ReportedPost(PostView Post, int ReportCount, IReadOnlyList<string> Reasons, DateTimeOffset FirstReportedAt);

/// <param name="Reason">Why, for the record (1 to 500 characters).</param>
public sealed record HidePostRequest(string? Reason);

/// <param name="Reason">Why, for the record (1 to 500 characters).</param>
/// <param name="Days">How long (1 to 3650 days); absent: until an operator lifts it.</param>
public sealed record SuspendUserRequest(string? Reason, int? Days);
