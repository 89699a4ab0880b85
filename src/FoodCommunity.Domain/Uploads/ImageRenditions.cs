using System.Globalization;
using System.Text.Json.Serialization;

namespace FoodCommunity.Domain.Uploads;

/// <summary>One re-encoded size of an image: its width class (the name of its object) and its exact size.</summary>
public sealed record Rendition(int WidthClass, int Width, int Height);

/// <summary>
/// What the processing function makes of an upload and where it puts it, so that the function (which writes
/// the renditions) and the API (which names their URLs from the width and height it stored) cannot disagree.
/// Renditions are WebP at most 320, 640, 1080 and 2048 pixels wide, never upscaled; all of one image live
/// under <c>images/{ownerId}/{yyyy}/{MM}/{id}/</c>, next to a manifest that says whether it was processed or refused.
/// </summary>
public static class ImageRenditions
{
    public const string Prefix = "images";

    public const string ContentType = "image/webp";

    /// <summary>Renditions never change under their key (a new upload is a new key), so caches may keep them for a year.</summary>
    public const string CacheControl = "public, max-age=31536000, immutable";

    public const string ManifestContentType = "application/json";

    /// <summary>
    /// Decoded pixels an upload may have: 50 MP covers every phone's default photo (12-50 MP) while a
    /// decompression bomb (a small file declaring a huge canvas) is refused from its header, before decoding.
    /// </summary>
    public const long MaxPixels = 50_000_000;

    /// <summary>Long side over short side; beyond it a rendition 2048 wide would be too tall for WebP (16,383 px).</summary>
    public const int MaxAspectRatio = 6;

    public static IReadOnlyList<int> WidthClasses { get; } = [320, 640, 1080, 2048];

    /// <summary>The class avatars are shown from: it exists for every processed image, whatever its size.</summary>
    public const int AvatarWidthClass = 320;

    /// <summary>
    /// The renditions of an upright image of <paramref name="width"/> × <paramref name="height"/>, smallest first: one per
    /// class narrower than the image, and one at the image's own width (capped at 2048) for the first class it does not exceed.
    /// </summary>
    public static IReadOnlyList<Rendition> For(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var renditions = new List<Rendition>(WidthClasses.Count);
        foreach (var widthClass in WidthClasses)
        {
            var w = Math.Min(widthClass, width);
            var h = (int)Math.Max(1, Math.Round((double)height * w / width, MidpointRounding.AwayFromZero));
            renditions.Add(new Rendition(widthClass, w, h));
            if (widthClass >= width)
            {
                break;
            }
        }

        return renditions;
    }

    /// <summary>Null when an image of this size is accepted; otherwise why not, in words for the client.</summary>
    public static string? DescribeSizeProblem(long width, long height)
    {
        if (width <= 0 || height <= 0)
        {
            return "The image has no pixels.";
        }

        if (width * height > MaxPixels)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The image has {width} × {height} pixels; the limit is {MaxPixels:N0} pixels.");
        }

        return Math.Max(width, height) > MaxAspectRatio * Math.Min(width, height)
            ? string.Create(CultureInfo.InvariantCulture, $"The image is {width} × {height} pixels; its long side may be at most {MaxAspectRatio} times its short side.")
            : null;
    }

    /// <summary>The folder of an upload's renditions and manifest.</summary>
    public static string FolderOf(UploadKey upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}/{upload.OwnerId}/{upload.Year:D4}/{upload.Month:D2}/{upload.Id}");
    }

    public static string RenditionKey(UploadKey upload, int widthClass) =>
        string.Create(CultureInfo.InvariantCulture, $"{FolderOf(upload)}/w{widthClass}.webp");

    public static string ManifestKey(UploadKey upload) => $"{FolderOf(upload)}/manifest.json";

    /// <summary>Every object an upload can have led to (the upload itself, each class, the manifest); deleting a missing one is harmless.</summary>
    public static IEnumerable<string> AllObjectKeys(UploadKey upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        yield return upload.Value;
        foreach (var widthClass in WidthClasses)
        {
            yield return RenditionKey(upload, widthClass);
        }

        yield return ManifestKey(upload);
    }
}

/// <summary>
/// What the processing function records for an upload, at <see cref="ImageRenditions.ManifestKey"/>: either
/// <c>processed</c> with the upright size and the renditions written, or <c>refused</c> with the reason.
/// Written last, so a processed manifest means every rendition is in place.
/// </summary>
public sealed record ImageManifest(string Status, int? Width, int? Height, IReadOnlyList<Rendition>? Renditions, string? Reason)
{
    public const string Processed = "processed";

    public const string Refused = "refused";

    public static ImageManifest ForProcessed(int width, int height) => new(Processed, width, height, ImageRenditions.For(width, height), null);

    public static ImageManifest ForRefused(string reason) => new(Refused, null, null, null, reason);

    [JsonIgnore]
    public bool IsProcessed => Status == Processed && Width > 0 && Height > 0;
}
