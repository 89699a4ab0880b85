using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Likes;

/// <summary>The "Likes" section: sharding of the like buffer and the write-behind flush.</summary>
public sealed class LikeOptions
{
    public const string SectionName = "Likes";

    /// <summary>
    /// Streams (and flush leases) the like events are spread over. Fixed for a deployment's life:
    /// changing it moves posts to other shards, so drain the backlog first.
    /// </summary>
    [Range(1, 1024)]
    public int Shards { get; set; } = 16;

    /// <summary>Events applied per MySQL transaction.</summary>
    [Range(1, 10_000)]
    public int FlushBatchSize { get; set; } = 500;

    /// <summary>Pause of an idle flusher between rounds; with a backlog it does not pause.</summary>
    [Range(10, 60_000)]
    public int FlushIntervalMilliseconds { get; set; } = 250;

    /// <summary>How long a shard stays with a flusher that stopped renewing it (a dead or frozen instance).</summary>
    [Range(1, 600)]
    public int FlushLeaseSeconds { get; set; } = 15;

    /// <summary>Idle like state of a post stays in Redis this long, then is rebuilt from MySQL on next use.</summary>
    [Range(1, 24 * 365)]
    public int StateIdleHours { get; set; } = 72;

    /// <summary>
    /// Applied events stay in the stream this long, so a post whose state is rebuilt meanwhile sees
    /// every change MySQL might not have had when it was read.
    /// </summary>
    [Range(10, 86_400)]
    public int AppliedEventRetentionSeconds { get; set; } = 120;
}
