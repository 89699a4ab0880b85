using System.Diagnostics;
using FoodCommunity.Domain.Uploads;
using FoodCommunity.Images.Lambda.Processing;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Icc;
using MetadataExtractor.Formats.Iptc;
using MetadataExtractor.Formats.Xmp;
using NetVips;

namespace FoodCommunity.Images.Lambda.Tests;

public sealed class ImageProcessorTests
{
    static ImageProcessorTests() => ImageProcessor.ConfigureLibvips();

    [Fact]
    public void APhoneJpeg_WithOrientation6AndGps_ComesOutUpright_AtEachSize_WithNoMetadataLeft()
    {
        // Stored landscape, 4000 × 3000 (a 12 MP phone photo), red on top; orientation 6 says "turn 90° clockwise".
        var photo = TestPhotos.Jpeg(4000, 3000, orientation: 6);
        var before = ImageMetadataReader.ReadMetadata(new MemoryStream(photo));
        Assert.NotEmpty(before.OfType<GpsDirectory>());
        Assert.NotEmpty(before.OfType<XmpDirectory>());
        Assert.NotEmpty(before.OfType<IptcDirectory>());

        var outcome = Assert.IsType<ProcessingOutcome.Processed>(ImageProcessor.Process(photo, UploadPolicy.Jpeg));

        Assert.Equal((3000, 4000), (outcome.Width, outcome.Height));
        Assert.Equal([320, 640, 1080, 2048], outcome.Renditions.Select(r => r.Rendition.WidthClass));
        foreach (var (rendition, bytes) in outcome.Renditions)
        {
            using var image = Image.NewFromBuffer(bytes);
            Assert.Equal("webpload_buffer", image.Get("vips-loader"));
            Assert.Equal((Math.Min(rendition.WidthClass, 3000), (int)Math.Round(Math.Min(rendition.WidthClass, 3000) * 4 / 3.0)), (image.Width, image.Height));
            Assert.Equal((rendition.Width, rendition.Height), (image.Width, image.Height));
            // Turned clockwise, the stored top (red) is on the right and the bottom (blue) on the left.
            AssertColour(TestPhotos.Red, image, image.Width * 3 / 4, image.Height / 2);
            AssertColour(TestPhotos.Blue, image, image.Width / 4, image.Height / 2);

            var after = ImageMetadataReader.ReadMetadata(new MemoryStream(bytes));
            Assert.Empty(after.OfType<ExifDirectoryBase>());
            Assert.Empty(after.OfType<GpsDirectory>());
            Assert.Empty(after.OfType<XmpDirectory>());
            Assert.Empty(after.OfType<IptcDirectory>());
            Assert.Empty(after.OfType<IccDirectory>());
            foreach (var field in image.GetFields())
            {
                Assert.False(field is "exif-data" or "xmp-data" or "iptc-data" or "icc-profile-data" or "orientation", $"{field} survived");
            }
        }
    }

    [Fact]
    public void AWideGamutPhoto_IsConvertedToSrgb_AndItsProfileDropped()
    {
        // sRGB (200, 40, 30) stored as Display P3 numbers (about 184, 56, 41) with the P3 profile embedded, as iPhones write.
        using var srgb = Image.Black(800, 600).NewFromImage(200, 40, 30).Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
        using var p3 = srgb.IccTransform("p3", inputProfile: "srgb");
        var photo = p3.JpegsaveBuffer(q: 95);
        Assert.InRange(p3.Getpoint(10, 10)[0], 175, 190);

        var outcome = Assert.IsType<ProcessingOutcome.Processed>(ImageProcessor.Process(photo, UploadPolicy.Jpeg));

        using var rendition = Image.NewFromBuffer(outcome.Renditions[0].Bytes);
        Assert.Equal(0u, (uint)rendition.GetTypeOf("icc-profile-data"));
        // Untagged, so browsers read it as sRGB: the numbers must be sRGB's again, not P3's read as sRGB.
        AssertColour([200, 40, 30], rendition, 10, 10, tolerance: 8);
    }

    [Fact]
    public void AnImageNarrowerThanAClass_IsNeverUpscaled()
    {
        var outcome = Assert.IsType<ProcessingOutcome.Processed>(ImageProcessor.Process(TestPhotos.Jpeg(500, 400), UploadPolicy.Jpeg));

        Assert.Equal([new Rendition(320, 320, 256), new Rendition(640, 500, 400)], outcome.Renditions.Select(r => r.Rendition));
        using var largest = Image.NewFromBuffer(outcome.Renditions[^1].Bytes);
        Assert.Equal((500, 400), (largest.Width, largest.Height));
    }

    [Fact]
    public void APng_IsProcessedToo()
    {
        var outcome = Assert.IsType<ProcessingOutcome.Processed>(ImageProcessor.Process(TestPhotos.Png(1200, 900), UploadPolicy.Png));

        Assert.Equal([320, 640, 1080, 2048], outcome.Renditions.Select(r => r.Rendition.WidthClass));
        Assert.Equal(1200, outcome.Renditions[^1].Rendition.Width);
    }

    public enum Hostile
    {
        Bomb,
        TruncatedJpeg,
        PngNamedJpg,
        Animated,
        Empty,
        Text,
        TooTall,
    }

    [Theory]
    [InlineData(Hostile.Bomb, "pixels")]
    [InlineData(Hostile.TruncatedJpeg, "decodable")]
    [InlineData(Hostile.PngNamedJpg, "not a image/jpeg")]
    [InlineData(Hostile.Animated, "animated")]
    [InlineData(Hostile.Empty, "empty")]
    [InlineData(Hostile.Text, "not a image/jpeg")]
    [InlineData(Hostile.TooTall, "long side")]
    public void AHostileUpload_IsRefused_InBoundedTimeAndMemory(Hostile hostile, string reason)
    {
        var (bytes, declared) = hostile switch
        {
            // 50,000 × 50,000 × 3 bytes would be 7.5 GB decoded.
            Hostile.Bomb => (TestPhotos.PngDeclaring(50_000, 50_000), UploadPolicy.Png),
            Hostile.TruncatedJpeg => (TestPhotos.Jpeg(2000, 1500)[..60_000], UploadPolicy.Jpeg),
            Hostile.PngNamedJpg => (TestPhotos.Png(400, 300), UploadPolicy.Jpeg),
            Hostile.Animated => (TestPhotos.AnimatedWebP(), UploadPolicy.WebP),
            Hostile.Empty => ([], UploadPolicy.Jpeg),
            Hostile.Text => ("just text"u8.ToArray(), UploadPolicy.Jpeg),
            _ => (TestPhotos.Jpeg(200, 1400, withMetadata: false), UploadPolicy.Jpeg),
        };
        var rssBefore = ResidentBytes();
        var clock = Stopwatch.StartNew();

        var outcome = ImageProcessor.Process(bytes, declared);

        clock.Stop();
        var refused = Assert.IsType<ProcessingOutcome.Refused>(outcome);
        Assert.Contains(reason, refused.Reason, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.True(ResidentBytes() - rssBefore < 256L * 1024 * 1024, $"resident memory grew by {(ResidentBytes() - rssBefore) >> 20} MiB");
    }

    private static void AssertColour(byte[] expected, Image image, int x, int y, int tolerance = 40)
    {
        var pixel = image.Getpoint(x, y);
        for (var band = 0; band < 3; band++)
        {
            Assert.InRange(pixel[band], expected[band] - tolerance, expected[band] + tolerance);
        }
    }

    /// <summary>The process's resident set now (libvips allocates outside the GC's view).</summary>
    private static long ResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
