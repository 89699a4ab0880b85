using System.Net;

namespace FoodCommunity.Images.Lambda.Events;

/// <summary>
/// An S3 event notification (version 2.x), as the bucket sends it to SQS. The test message S3 sends when the
/// notification is configured (<c>{"Event": "s3:TestEvent"}</c>) has no records and is read as an empty one.
/// </summary>
public sealed record S3Event(IReadOnlyList<S3EventRecord>? Records);

public sealed record S3EventRecord(string? EventName, S3EventEntity? S3);

public sealed record S3EventEntity(S3EventBucket? Bucket, S3EventObject? Object);

public sealed record S3EventBucket(string? Name);

public sealed record S3EventObject(string? Key, long? Size)
{
    /// <summary>S3 URL-encodes keys in notifications (a space is '+'), so the key an object has is this.</summary>
    public string? DecodedKey => Key is null ? null : WebUtility.UrlDecode(Key);
}
