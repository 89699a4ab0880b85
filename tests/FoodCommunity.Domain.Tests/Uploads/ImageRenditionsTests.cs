using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Domain.Tests.Uploads;

public class ImageRenditionsTests
{
    [Fact]
    public void For_A12MegapixelPortrait_GivesEveryClass_SmallestFirst()
    {
        Assert.Equal(
            [new Rendition(320, 320, 427), new Rendition(640, 640, 853), new Rendition(1080, 1080, 1440), new Rendition(2048, 2048, 2731)],
            ImageRenditions.For(3000, 4000));
    }

    [Theory]
    [InlineData(200, 100, new[] { 200 })]
    [InlineData(320, 240, new[] { 320 })]
    [InlineData(321, 240, new[] { 320, 321 })]
    [InlineData(1080, 1080, new[] { 320, 640, 1080 })]
    [InlineData(5000, 1000, new[] { 320, 640, 1080, 2048 })]
    public void For_NeverUpscales_AndEndsAtTheImagesOwnWidthCappedAt2048(int width, int height, int[] widths) =>
        Assert.Equal(widths, ImageRenditions.For(width, height).Select(r => r.Width));

    [Theory]
    [InlineData(4000, 3000, null)]
    [InlineData(8000, 6000, null)]
    [InlineData(50_000, 50_000, "pixels")]
    [InlineData(8200, 6200, "pixels")]
    [InlineData(700, 100, "long side")]
    [InlineData(0, 100, "no pixels")]
    public void DescribeSizeProblem_RefusesBombsAndSlivers(long width, long height, string? problem)
    {
        var described = ImageRenditions.DescribeSizeProblem(width, height);

        if (problem is null)
        {
            Assert.Null(described);
        }
        else
        {
            Assert.Contains(problem, described, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Keys_LiveUnderOneFolderPerUpload_OutsideUploads()
    {
        Assert.True(UploadKey.TryParse("uploads/u-1/2026/12/0192c0de00007000800000000000aaaa.jpg", out var upload));

        Assert.Equal("images/u-1/2026/12/0192c0de00007000800000000000aaaa/w640.webp", ImageRenditions.RenditionKey(upload, 640));
        Assert.Equal("images/u-1/2026/12/0192c0de00007000800000000000aaaa/manifest.json", ImageRenditions.ManifestKey(upload));
        Assert.Equal(6, ImageRenditions.AllObjectKeys(upload).Count());
    }
}
