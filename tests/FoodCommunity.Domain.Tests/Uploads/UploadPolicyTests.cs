using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Domain.Tests.Uploads;

public class UploadPolicyTests
{
    [Theory]
    [InlineData("image/jpeg", "jpg")]
    [InlineData("image/png", "png")]
    [InlineData("image/webp", "webp")]
    [InlineData("IMAGE/JPEG", "jpg")]
    public void FindByContentType_AllowedType_ReturnsCanonicalTypeAndExtension(string contentType, string extension)
    {
        var type = UploadPolicy.FindByContentType(contentType);

        Assert.NotNull(type);
        Assert.Equal(contentType.ToLowerInvariant(), type.ContentType);
        Assert.Equal(extension, type.Extension);
    }

    [Theory]
    [InlineData("image/gif")]
    [InlineData("image/svg+xml")]
    [InlineData("application/octet-stream")]
    [InlineData("image/jpeg; charset=binary")]
    [InlineData(" image/jpeg")]
    [InlineData("image/jpg")]
    [InlineData("image/heic")]
    [InlineData("")]
    [InlineData(null)]
    public void FindByContentType_OtherType_ReturnsNull(string? contentType) =>
        Assert.Null(UploadPolicy.FindByContentType(contentType));

    [Theory]
    [InlineData(1, true)]
    [InlineData(15 * 1024 * 1024, true)]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    [InlineData(15 * 1024 * 1024 + 1, false)]
    public void IsAllowedLength_AcceptsOneByteUpToFifteenMebibytes(long length, bool allowed) =>
        Assert.Equal(allowed, UploadPolicy.IsAllowedLength(length));

    [Fact]
    public void Limits_AreThePublishedOnes()
    {
        Assert.Equal(15L * 1024 * 1024, UploadPolicy.MaxBytes);
        Assert.Equal(TimeSpan.FromMinutes(5), UploadPolicy.FormLifetime);
        Assert.Equal(("state", "pending"), (UploadPolicy.PendingTagKey, UploadPolicy.PendingTagValue));
        Assert.Equal(["image/jpeg", "image/png", "image/webp"], UploadPolicy.AllowedTypes.Select(t => t.ContentType));
    }
}
