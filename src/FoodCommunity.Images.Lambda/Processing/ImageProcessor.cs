using FoodCommunity.Domain.Uploads;
using NetVips;

namespace FoodCommunity.Images.Lambda.Processing;

/// <summary>One encoded rendition, ready to be written under its key.</summary>
public sealed record EncodedRendition(Rendition Rendition, byte[] Bytes);

/// <summary>The result of processing one upload: its renditions, or why it was refused.</summary>
public abstract record ProcessingOutcome
{
    private ProcessingOutcome()
    {
    }

    /// <param name="Width">Upright width of the upload (EXIF orientation applied).</param>
    /// <param name="Height">Upright height of the upload.</param>
    /// <param name="Renditions">Smallest first, as <see cref="ImageRenditions.For"/> lists them.</param>
    public sealed record Processed(int Width, int Height, IReadOnlyList<EncodedRendition> Renditions) : ProcessingOutcome;

    /// <param name="Reason">In words for the client: the API answers 400 with it, naming the key.</param>
    public sealed record Refused(string Reason) : ProcessingOutcome;
}

/// <summary>
/// Decodes an upload with libvips and writes its renditions: upright (EXIF orientation applied), converted to sRGB
/// when it carries another colour profile, and with every piece of metadata (EXIF with GPS, XMP, IPTC, ICC,
/// comments) left out of the WebP files. Pure: bytes in, bytes out. Anything that is not a well-formed image of
/// its declared type, has too many pixels or several frames is refused, never partly processed.
/// </summary>
public static class ImageProcessor
{
    /// <summary>80 keeps photos free of visible artefacts at a third of the size of the JPEG a phone writes.</summary>
    private const int Quality = 80;

    /// <summary>libwebp's effort (0 fastest .. 6 smallest); 2 is measured in docs/benchmarks.md to keep a 12 MP photo within its budget.</summary>
    private const int Effort = 2;

    /// <summary>Settings for the process: call once before the first image (the function's init).</summary>
    public static void ConfigureLibvips()
    {
        // One image at a time, never seen twice: an operation cache only holds memory.
        Cache.Max = 0;
        Cache.MaxMem = 0;
        Cache.MaxFiles = 0;
    }

    public static ProcessingOutcome Process(byte[] bytes, AllowedImageType declared)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(declared);
        if (bytes.Length == 0)
        {
            return new ProcessingOutcome.Refused("The uploaded file is empty.");
        }

        // The presigned form pinned a Content-Type, but the bytes are the client's: a PNG named .jpg stops here.
        if (ImageSignature.Detect(bytes) != declared)
        {
            return new ProcessingOutcome.Refused($"The uploaded file is not a {declared.ContentType} image.");
        }

        try
        {
            return ProcessDecodable(bytes, declared);
        }
        catch (VipsException e)
        {
            // Truncated, corrupt, or using a feature the decoder refuses: libvips stops at the first error (fail_on=error).
            return new ProcessingOutcome.Refused($"The uploaded file is not a decodable {declared.ContentType} image ({FirstLine(e.Message)}).");
        }
    }

    private static ProcessingOutcome ProcessDecodable(byte[] bytes, AllowedImageType declared)
    {
        int width, height;
        bool hasProfile;
        // Sequential access reads the header only: a decompression bomb is measured here, not decoded.
        using (var header = Image.NewFromBuffer(bytes, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error))
        {
            if (!IsLoaderOf(header, declared))
            {
                return new ProcessingOutcome.Refused($"The uploaded file is not a {declared.ContentType} image.");
            }

            // Animated WebP (and multi-image files) are refused rather than cut to a first frame the author never chose.
            if (header.GetTypeOf("n-pages") != 0 && (int)header.Get("n-pages") > 1)
            {
                return new ProcessingOutcome.Refused("The uploaded image is animated or has several frames; upload a still photo.");
            }

            hasProfile = header.GetTypeOf("icc-profile-data") != 0;
            var orientation = header.GetTypeOf("orientation") != 0 ? (int)header.Get("orientation") : 1;
            (width, height) = orientation is >= 5 and <= 8 ? (header.Height, header.Width) : (header.Width, header.Height);
        }

        if (ImageRenditions.DescribeSizeProblem(width, height) is { } sizeProblem)
        {
            return new ProcessingOutcome.Refused(sizeProblem);
        }

        var renditions = ImageRenditions.For(width, height);
        var largest = renditions[^1];
        // thumbnail decodes with shrink-on-load (JPEG at 1/2, 1/4, 1/8 scale when it can) and applies the EXIF
        // orientation; the target width and height refer to the upright image. Force: exactly the size the
        // Domain computed. An embedded colour profile (Display P3, Adobe RGB, CMYK) is turned into sRGB, which is
        // what browsers assume of an untagged file; without one the pixels are sRGB already, and asking for the
        // transform anyway costs a colour conversion of every pixel (measured: 0.4 s of a 12 MP photo's budget).
        // fail_on goes to the loader as an option string: thumbnail's own failOn argument does not reach it.
        using var decoded = Image.ThumbnailBuffer(
            bytes, largest.Width, optionString: "fail_on=error", height: largest.Height, size: Enums.Size.Force, outputProfile: hasProfile ? "srgb" : null);
        // Decode once into memory, then derive the smaller renditions from it.
        using var top = decoded.CopyMemory();
        var encoded = new List<EncodedRendition>(renditions.Count);
        foreach (var rendition in renditions)
        {
            if (rendition == largest)
            {
                encoded.Add(new EncodedRendition(rendition, Encode(top)));
                continue;
            }

            using var smaller = top.ThumbnailImage(rendition.Width, height: rendition.Height, size: Enums.Size.Force);
            encoded.Add(new EncodedRendition(rendition, Encode(smaller)));
        }

        return new ProcessingOutcome.Processed(width, height, encoded);
    }

    /// <summary>keep=none: no EXIF, XMP, IPTC, ICC or comment reaches the file; pixels are sRGB already.</summary>
    private static byte[] Encode(Image image) =>
        image.WebpsaveBuffer(q: Quality, effort: Effort, keep: Enums.ForeignKeep.None);

    private static bool IsLoaderOf(Image header, AllowedImageType declared)
    {
        var loader = header.GetTypeOf("vips-loader") != 0 ? header.Get("vips-loader") as string : null;
        var expected = declared.Extension switch
        {
            "jpg" => "jpegload",
            "png" => "pngload",
            "webp" => "webpload",
            _ => null,
        };
        return expected is not null && loader is not null && loader.StartsWith(expected, StringComparison.Ordinal);
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return line.Length > 200 ? line[..200] : line;
    }
}
