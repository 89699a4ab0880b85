using System.Text;
using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Domain.Tests.Uploads;

public class ImageSignatureTests
{
    public static TheoryData<byte[], string> RecognisedHeaders => new()
    {
        { [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01], "image/jpeg" },
        { [0xFF, 0xD8, 0xFF, 0xE1, 0x12, 0x34, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00], "image/jpeg" },
        { [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D], "image/png" },
        { Riff("WEBP"), "image/webp" },
    };

    public static TheoryData<byte[]> UnrecognisedHeaders => new()
    {
        Array.Empty<byte>(),
        new byte[] { 0xFF, 0xD8 },
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A },
        Encoding.ASCII.GetBytes("GIF89a\0\0\0\0\0\0"),
        Encoding.ASCII.GetBytes("<svg xmlns='"),
        Riff("WAVE"),
        Encoding.ASCII.GetBytes("RIFF\0\0\0\0WEB"),
        Ftyp("avif"),
        // HEIC is not in the upload policy: the image function could not decode it (docs/images.md).
        Ftyp("heic"),
        Ftyp("mif1"),
        Ftyp("isom"),
        Ftyp("qt  "),
        new byte[] { 0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69 },
        "%PDF-1.7\n%\u00e2\u00e3"u8.ToArray(),
    };

    [Theory]
    [MemberData(nameof(RecognisedHeaders))]
    public void Detect_AllowedFormat_ReturnsItsType(byte[] header, string contentType) =>
        Assert.Equal(contentType, ImageSignature.Detect(header)?.ContentType);

    [Theory]
    [MemberData(nameof(UnrecognisedHeaders))]
    public void Detect_OtherOrTruncatedBytes_ReturnsNull(byte[] header) =>
        Assert.Null(ImageSignature.Detect(header));

    [Fact]
    public void Detect_LooksOnlyAtTheLeadingBytes()
    {
        var header = new byte[4096];
        Riff("WEBP").CopyTo(header, 0);

        Assert.Equal(UploadPolicy.WebP, ImageSignature.Detect(header));
    }

    private static byte[] Riff(string format) => [.. "RIFF"u8, 0x24, 0x08, 0x00, 0x00, .. Encoding.ASCII.GetBytes(format)];

    private static byte[] Ftyp(string brand) => [0x00, 0x00, 0x00, 0x18, .. "ftyp"u8, .. Encoding.ASCII.GetBytes(brand), 0x00, 0x00, 0x00, 0x00];
}
