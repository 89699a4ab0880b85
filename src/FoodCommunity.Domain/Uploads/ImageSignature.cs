namespace FoodCommunity.Domain.Uploads;

/// <summary>
/// Recognises the allowed image formats from an object's first bytes, so the API can check what was really
/// uploaded (the Content-Type of a presigned POST is only what the client claimed).
/// </summary>
public static class ImageSignature
{
    /// <summary>How many leading bytes <see cref="Detect"/> needs: ask S3 for this range.</summary>
    public const int HeaderLength = 12;

    private static ReadOnlySpan<byte> JpegMagic => [0xFF, 0xD8, 0xFF];

    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> Riff => "RIFF"u8;

    private static ReadOnlySpan<byte> WebP => "WEBP"u8;

    private static ReadOnlySpan<byte> FileTypeBox => "ftyp"u8;

    /// <summary>HEIF major brands of HEVC-coded images (heic/heix, and hevc/hevx for sequences) and the generic image brands.</summary>
    private static readonly byte[][] HeicBrands = ["heic"u8.ToArray(), "heix"u8.ToArray(), "hevc"u8.ToArray(), "hevx"u8.ToArray(), "mif1"u8.ToArray(), "msf1"u8.ToArray()];

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

        if (header.Length >= HeaderLength && header[4..8].SequenceEqual(FileTypeBox) && IsHeicBrand(header[8..12]))
        {
            return UploadPolicy.Heic;
        }

        return null;
    }

    private static bool IsHeicBrand(ReadOnlySpan<byte> brand)
    {
        foreach (var known in HeicBrands)
        {
            if (brand.SequenceEqual(known))
            {
                return true;
            }
        }

        return false;
    }
}
