namespace FoodCommunity.Images.Lambda.Processing;

/// <summary>An object read from the bucket: its bytes only when it is within the size asked for.</summary>
public sealed record StoredObject(long Length, string? ContentType, byte[]? Bytes);

/// <summary>The bucket as the processing handler needs it.</summary>
public interface IImageStore
{
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    /// <summary>Null when there is no such object; <see cref="StoredObject.Bytes"/> null when it is over <paramref name="maxBytes"/> (not downloaded).</summary>
    Task<StoredObject?> ReadAsync(string key, long maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a public object once (an existing one is left as it is); it starts tagged state=pending, like an
    /// upload, until a post or profile takes it.
    /// </summary>
    Task WriteAsync(string key, byte[] bytes, string contentType, string cacheControl, CancellationToken cancellationToken);
}
