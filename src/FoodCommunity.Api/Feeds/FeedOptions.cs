using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Feeds;

/// <summary>The "Feeds" section.</summary>
public sealed class FeedOptions
{
    public const string SectionName = "Feeds";

    /// <summary>How often the popular ranking is re-taken; clients see likes in it at most this much later.</summary>
    [Range(1, 3600)]
    public int PopularSnapshotSeconds { get; set; } = 60;
}
