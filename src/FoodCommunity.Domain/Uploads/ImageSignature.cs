namespace FoodCommunity.Domain.Uploads;

/// <summary>
/// Recognises the allowed image formats from an object's first bytes, so the image function can check what was
/// really uploaded before decoding (the Content-Type of a presigned POST is only what the client claimed).
/// </summary>
public static class ImageSignature
{
    /// <summary>How many leading bytes <see cref="Detect"/> needs.</summary>
    public const int HeaderLength = 12;

    private static ReadOnlySpan<byte> JpegMagic => [0xFF, 0xD8, 0xFF];

    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> Riff => "RIFF"u8;

    private static ReadOnlySpan<byte> WebP => "WEBP"u8;

    /// <summary>The allowed type whose signature <paramref name="header"/> starts with, or null.</summary>
    public static AllowedImageType? Detect(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith(JpegMagic))
        {
            return UploadPolicy.Jpeg;
        }

        if (header.StartsWith(PngMagic))
        {
            return UploadPolicy.Png;
        }

        if (header.Length >= HeaderLength && header.StartsWith(Riff) && header[8..12].SequenceEqual(WebP))
        {
            return UploadPolicy.WebP;
        }

        return null;
    }
}
