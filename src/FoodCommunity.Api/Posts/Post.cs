namespace FoodCommunity.Api.Posts;

/// <summary>A photo post. Counters are denormalised so a feed page never counts rows.</summary>
public sealed class Post
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid AuthorId { get; init; }

    public string Caption { get; set; } = "";

    /// <summary>Written by the like flusher (write-behind); the live figure is in Redis.</summary>
    public int LikeCount { get; set; }

    public int CommentCount { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the author last changed the caption or tags; null for a post never edited.</summary>
    public DateTimeOffset? EditedAt { get; set; }

    /// <summary>Set when a moderator hides the post: from then on only its author sees it, marked hidden.</summary>
    public DateTimeOffset? HiddenAt { get; set; }

    public List<PostImage> Images { get; init; } = [];

    public List<PostTag> Tags { get; init; } = [];
}

public sealed class PostImage
{
    public Guid PostId { get; init; }

    /// <summary>0-based order in which the author arranged the images.</summary>
    public byte Position { get; init; }

    public required string ImageKey { get; init; }

    /// <summary>Upright width of the upload, as the processing function reported it; the renditions' sizes follow from it.</summary>
    public int Width { get; init; }

    public int Height { get; init; }
}

/// <summary>A hashtag, stored once, lower-case.</summary>
public sealed class Tag
{
    public long Id { get; init; }

    public required string Name { get; init; }
}

public sealed class PostTag
{
    public long TagId { get; init; }

    public Guid PostId { get; init; }

    public Tag? Tag { get; init; }
}

/// <summary>A user's report of a post, for moderators.</summary>
public sealed class PostReport
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid PostId { get; init; }

    public Guid ReporterId { get; init; }

    public required string Reason { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a moderator hid the post or dismissed its reports; open reports have none.</summary>
    public DateTimeOffset? ClosedAt { get; set; }
}

/// <summary>
/// An image no post or profile uses any more (a deleted post, a replaced avatar), waiting for the
/// background worker to delete it from the bucket. Once the worker has committed to deleting it the
/// row stays a while as a tombstone, so a post or avatar that tries to take the key in the meantime
/// is refused instead of pointing at an object that is gone.
/// </summary>
public sealed class ImageDeletion
{
    public long Id { get; init; }

    public required string ImageKey { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the worker committed to deleting the object; from then on the key cannot be taken again.</summary>
    public DateTimeOffset? DeletingAt { get; set; }

    /// <summary>When the bucket confirmed the deletion; the tombstone is purged some time after.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>
/// An Idempotency-Key of POST /posts, written in the post's own transaction, so a retry can never
/// create a second post, whatever failed after the first one was committed.
/// </summary>
public sealed class PostIdempotencyKey
{
    public Guid UserId { get; init; }

    /// <summary>SHA-256 of the header's value: fixed size, whatever the client sent.</summary>
    public required byte[] KeyHash { get; init; }

    public Guid PostId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
