namespace FoodCommunity.Domain.Uploads;

/// <summary>An image type clients may upload, and the extension its keys end with.</summary>
public sealed record AllowedImageType(string ContentType, string Extension);

/// <summary>
/// The rules every photo upload follows. The presign function signs forms with them and the API applies
/// them again when a post names a key, so both deployables must read them from here.
/// </summary>
public static class UploadPolicy
{
    public const long MaxBytes = 15 * 1024 * 1024;

    /// <summary>Short enough that a leaked form is soon useless, long enough for a slow mobile upload to start.</summary>
    public static readonly TimeSpan FormLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Every upload starts tagged <c>state=pending</c>; the bucket deletes pending objects after a day, so when a
    /// post takes an image the API must remove this tag (see docs/presign.md).
    /// </summary>
    public const string PendingTagKey = "state";

    public const string PendingTagValue = "pending";

    /// <summary>What the API sets the tag to when a post or a profile takes the image: the lifecycle rule leaves it alone.</summary>
    public const string AttachedTagValue = "attached";

    public static readonly AllowedImageType Jpeg = new("image/jpeg", "jpg");
    public static readonly AllowedImageType Png = new("image/png", "png");
    public static readonly AllowedImageType WebP = new("image/webp", "webp");

    /// <summary>
    /// No image/heic: every served image is re-encoded, and the image library's native build (libvips from
    /// NetVips.Native) has no HEVC decoder. Clients send JPEG, which iOS converts to on export (docs/images.md).
    /// </summary>
    public static IReadOnlyList<AllowedImageType> AllowedTypes { get; } = [Jpeg, Png, WebP];

    /// <summary>
    /// Media types are case-insensitive, but the signed policy pins one exact Content-Type, so a match returns
    /// the canonical lower-case form. Parameters ("image/png; q=1") are not accepted: S3 would store them verbatim.
    /// </summary>
    public static AllowedImageType? FindByContentType(string? contentType) =>
        AllowedTypes.FirstOrDefault(t => string.Equals(t.ContentType, contentType, StringComparison.OrdinalIgnoreCase));

    /// <summary>Extensions are matched exactly: keys are generated lower-case, so anything else was not issued by us.</summary>
    public static AllowedImageType? FindByExtension(string? extension) =>
        AllowedTypes.FirstOrDefault(t => string.Equals(t.Extension, extension, StringComparison.Ordinal));

    public static bool IsAllowedLength(long contentLength) => contentLength is > 0 and <= MaxBytes;
}
