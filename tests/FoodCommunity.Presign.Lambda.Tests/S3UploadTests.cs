using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>Forms used as a browser uses them, against a real S3 endpoint.</summary>
public class S3UploadTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task MultipartPostFromTheForm_StoresTheFileByteForByte()
    {
        var endpoint = await TestStorage.GetAsync();
        var photo = FakeJpeg(64 * 1024 + 3);
        var form = await PresignedForm.RequestAsync(endpoint, "image/jpeg", photo.Length);

        using var response = await Http.PostAsync(form.Url, form.ToMultipart(photo), TestContext.Current.CancellationToken);

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        using var s3 = endpoint.CreateClient();
        using var stored = await s3.GetObjectAsync(endpoint.Settings.BucketName, form.Key, TestContext.Current.CancellationToken);
        using var copy = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(copy, TestContext.Current.CancellationToken);
        Assert.Equal(photo, copy.ToArray());
        Assert.Equal("image/jpeg", stored.Headers.ContentType);
    }

    [Fact]
    public async Task UploadedObject_IsTaggedPendingForTheLifecycleRule()
    {
        var endpoint = await TestStorage.GetAsync();
        Assert.SkipUnless(endpoint.EnforcesPostPolicy, "s3rver ignores the tagging field of POST uploads; the pending tag is checked against LocalStack or AWS (Storage__EnforcesPostPolicy=true).");
        var photo = FakeJpeg(100);
        var form = await PresignedForm.RequestAsync(endpoint, "image/jpeg", photo.Length);
        using (var response = await Http.PostAsync(form.Url, form.ToMultipart(photo), TestContext.Current.CancellationToken))
        {
            response.EnsureSuccessStatusCode();
        }

        using var s3 = endpoint.CreateClient();
        var tags = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = endpoint.Settings.BucketName, Key = form.Key }, TestContext.Current.CancellationToken);

        var tag = Assert.Single(tags.Tagging);
        Assert.Equal(("state", "pending"), (tag.Key, tag.Value));
    }

    [Fact]
    public async Task FileLargerThanThePolicyAllows_IsRejectedByS3()
    {
        var endpoint = await TestStorage.GetAsync();
        Assert.SkipUnless(endpoint.EnforcesPostPolicy, TestS3Endpoint.NotEnforcedReason);
        var form = await PresignedForm.RequestAsync(endpoint, "image/jpeg", 1024);

        var oversized = FakeJpeg((int)form.MaxBytes + 1);
        using var response = await Http.PostAsync(form.Url, form.ToMultipart(oversized), TestContext.Current.CancellationToken);

        await AssertRejectedAndNotStoredAsync(endpoint, form, response);
    }

    [Fact]
    public async Task DifferentContentTypeThanSigned_IsRejectedByS3()
    {
        var endpoint = await TestStorage.GetAsync();
        Assert.SkipUnless(endpoint.EnforcesPostPolicy, TestS3Endpoint.NotEnforcedReason);
        var form = await PresignedForm.RequestAsync(endpoint, "image/jpeg", 100);

        var overrides = new Dictionary<string, string> { ["Content-Type"] = "text/html" };
        using var response = await Http.PostAsync(form.Url, form.ToMultipart(FakeJpeg(100), "text/html", overrides), TestContext.Current.CancellationToken);

        await AssertRejectedAndNotStoredAsync(endpoint, form, response);
    }

    [Fact]
    public async Task ExpiredForm_IsRejectedByS3()
    {
        var endpoint = await TestStorage.GetAsync();
        Assert.SkipUnless(endpoint.EnforcesPostPolicy, TestS3Endpoint.NotEnforcedReason);
        // Issued as if six minutes ago: the policy expired a minute ago, with a valid signature.
        var sixMinutesAgo = new FixedTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(6));
        var form = await PresignedForm.RequestAsync(endpoint, "image/jpeg", 100, sixMinutesAgo);

        using var response = await Http.PostAsync(form.Url, form.ToMultipart(FakeJpeg(100)), TestContext.Current.CancellationToken);

        await AssertRejectedAndNotStoredAsync(endpoint, form, response);
    }

    private static async Task AssertRejectedAndNotStoredAsync(TestS3Endpoint endpoint, PresignedForm form, HttpResponseMessage response)
    {
        Assert.True(
            response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest,
            $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        using var s3 = endpoint.CreateClient();
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(endpoint.Settings.BucketName, form.Key, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static byte[] FakeJpeg(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        return bytes;
    }
}
