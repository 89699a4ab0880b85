using FoodCommunity.Domain.Uploads;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Storage;

/// <param name="Width">Of the rendition at <paramref name="Url"/>.</param>
/// <param name="Height">Of the rendition at <paramref name="Url"/>.</param>
/// <param name="Url">A WebP file, re-encoded and stripped of metadata.</param>
public sealed record ImageVariantView(int Width, int Height, string Url);

/// <summary>An image as clients show it (the contract's <c>Image</c>): never the upload itself, only its renditions.</summary>
/// <param name="Key">The upload key the post was created with.</param>
/// <param name="Width">Of the largest rendition (the one at <paramref name="Url"/>); with <paramref name="Height"/>, the aspect ratio to lay out before loading.</param>
/// <param name="Height">Of the largest rendition.</param>
/// <param name="Url">The largest rendition, at most 2048 pixels wide.</param>
/// <param name="Variants">Every rendition, smallest first, for <c>srcset</c>.</param>
public sealed record ImageView(string Key, int Width, int Height, string Url, IReadOnlyList<ImageVariantView> Variants);

/// <summary>Turns object keys into the URLs clients load them from (the CDN in front of the bucket).</summary>
public sealed class PublicUrls(IOptions<StorageOptions> options)
{
    public string For(string key) => $"{options.Value.PublicBaseUrl.TrimEnd('/')}/{Uri.EscapeDataString(key).Replace("%2F", "/", StringComparison.Ordinal)}";

    /// <summary>The renditions of an upload whose upright size the processing function reported; the names follow from the size (Domain rule).</summary>
    public ImageView Image(string uploadKey, int width, int height)
    {
        if (!UploadKey.TryParse(uploadKey, out var upload))
        {
            throw new ArgumentException($"'{uploadKey}' is not an upload key.", nameof(uploadKey));
        }

        if (width <= 0 || height <= 0)
        {
            // A post written before images were processed (migration ProcessedImageSizes): it has no renditions.
            return new ImageView(uploadKey, 0, 0, For(ImageRenditions.RenditionKey(upload, ImageRenditions.AvatarWidthClass)), []);
        }

        var variants = ImageRenditions.For(width, height)
            .Select(r => new ImageVariantView(r.Width, r.Height, For(ImageRenditions.RenditionKey(upload, r.WidthClass))))
            .ToList();
        return new ImageView(uploadKey, variants[^1].Width, variants[^1].Height, variants[^1].Url, variants);
    }

    /// <summary>An avatar is shown from its smallest class, which every processed image has, so the key alone names it.</summary>
    public string? Avatar(string? uploadKey) =>
        uploadKey is not null && UploadKey.TryParse(uploadKey, out var upload)
            ? For(ImageRenditions.RenditionKey(upload, ImageRenditions.AvatarWidthClass))
            : null;
}
