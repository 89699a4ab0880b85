using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Domain.Tests.Uploads;

public class UploadKeyTests
{
    private const string UserId = "01a21f0b-5b36-764d-bbcf-e56012e01923";
    private static readonly DateTimeOffset Now = new(2026, 3, 9, 23, 30, 0, TimeSpan.FromHours(-5));

    [Fact]
    public void CreateNew_BuildsKeyUnderOwnerAndUtcMonth()
    {
        var key = UploadKey.CreateNew(UserId, UploadPolicy.Png, Now);

        Assert.Matches($"^uploads/{UserId}/2026/03/[0-9a-f]{{32}}\\.png$", key.Value);
        Assert.Equal(UserId, key.OwnerId);
        Assert.Equal(UploadPolicy.Png, key.Type);
    }

    [Fact]
    public void CreateNew_UsesUtcForTheMonthFolder()
    {
        var key = UploadKey.CreateNew(UserId, UploadPolicy.Jpeg, new DateTimeOffset(2026, 12, 31, 22, 0, 0, TimeSpan.FromHours(-3)));

        Assert.StartsWith($"uploads/{UserId}/2027/01/", key.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateNew_NeverRepeatsAKey()
    {
        var keys = Enumerable.Range(0, 10_000).Select(_ => UploadKey.CreateNew(UserId, UploadPolicy.Jpeg, Now).Value).ToList();

        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("user.name")]
    [InlineData("user name")]
    [InlineData("usér")]
    public void CreateNew_OwnerIdThatIsNotAKeySegment_Throws(string ownerId) =>
        Assert.Throws<ArgumentException>(() => UploadKey.CreateNew(ownerId, UploadPolicy.Jpeg, Now));

    [Fact]
    public void CreateNew_TypeOutsideThePolicy_Throws() =>
        Assert.Throws<ArgumentException>(() => UploadKey.CreateNew(UserId, new AllowedImageType("image/gif", "gif"), Now));

    [Fact]
    public void TryParse_IssuedKey_RoundTrips()
    {
        var issued = UploadKey.CreateNew(UserId, UploadPolicy.WebP, Now);

        Assert.True(UploadKey.TryParse(issued.Value, out var parsed));
        Assert.Equal(issued, parsed);
        Assert.Equal(UserId, parsed.OwnerId);
        Assert.Equal(2026, parsed.Year);
        Assert.Equal(3, parsed.Month);
        Assert.Equal(UploadPolicy.WebP, parsed.Type);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("uploads/u1/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e")]
    [InlineData("uploads/u1/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.gif")]
    [InlineData("uploads/u1/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.JPG")]
    [InlineData("uploads/u1/2026/03/0190A1B2C3D4E5F60718293A4B5C6D7E.jpg")]
    [InlineData("uploads/u1/2026/03/0190a1b2c3d4e5f6.jpg")]
    [InlineData("uploads/u1/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg.png")]
    [InlineData("uploads/u1/2026/13/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("uploads/u1/2026/00/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("uploads/u1/2026/3/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("uploads/u1/26/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("uploads/u1/+026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("uploads/../2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("uploads/u1/../u2/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("uploads//2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("/uploads/u1/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("uploads/u1/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg/")]
    [InlineData("Uploads/u1/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("avatars/u1/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("uploads/u%2F1/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("uploads\\u1\\2026\\03\\0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    [InlineData("https://bucket.s3.amazonaws.com/uploads/u1/2026/03/0190a1b2c3d4e5f60718293a4b5c6d7e.jpg")]
    public void TryParse_KeyWeWouldNotIssue_IsRejected(string? key)
    {
        Assert.False(UploadKey.TryParse(key, out var parsed));
        Assert.Null(parsed);
    }

    [Fact]
    public void IsOwnedBy_ChecksTheOwnerSegmentExactly()
    {
        var key = UploadKey.CreateNew(UserId, UploadPolicy.WebP, Now).Value;

        Assert.True(UploadKey.IsOwnedBy(key, UserId));
        Assert.False(UploadKey.IsOwnedBy(key, UserId.ToUpperInvariant()));
        Assert.False(UploadKey.IsOwnedBy(key, "someone-else"));
        Assert.False(UploadKey.IsOwnedBy("uploads/" + UserId + "/2026/03/not-a-key.webp", UserId));
    }
}
