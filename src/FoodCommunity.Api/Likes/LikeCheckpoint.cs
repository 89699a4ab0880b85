namespace FoodCommunity.Api.Likes;

/// <summary>
/// How far a shard's event stream has been applied to MySQL. It is updated in the same transaction
/// as the like rows it accounts for, so a batch is applied exactly once whatever crashes: a flusher
/// that dies after the commit leaves a checkpoint past that batch, and one that dies before leaves
/// nothing applied.
/// </summary>
public sealed class LikeCheckpoint
{
    public int Shard { get; init; }

    /// <summary>The last applied stream entry id ("ms-seq"); "0-0" before any.</summary>
    public string LastEventId { get; set; } = "0-0";

    /// <summary>The shard sequence number of that event: the backlog is the stream's sequence minus this.</summary>
    public long LastSequence { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
