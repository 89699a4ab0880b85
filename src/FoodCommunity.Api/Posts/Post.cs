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
}

/// <summary>An image of a deleted post, waiting for the background worker to delete it from the bucket.</summary>
public sealed class ImageDeletion
{
    public long Id { get; init; }

    public required string ImageKey { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
