using Amazon.S3;
using Amazon.S3.Model;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// What a bucket holds, read from its object listing. A HEAD answers 404 for a missing bucket as for a
/// missing object, so "not found" proves nothing about deletion; a listing of a missing bucket throws
/// (NoSuchBucket), so an object absent from a listing is truly gone from a bucket that exists.
/// </summary>
public static class BucketListing
{
    /// <summary>Which of the keys the bucket's listing shows; throws when the bucket does not exist.</summary>
    public static async Task<HashSet<string>> ListedAsync(IAmazonS3 s3, string bucket, IEnumerable<string> keys)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = key }, TestContext.Current.CancellationToken);
            if (page.S3Objects?.Any(o => o.Key == key) == true)
            {
                listed.Add(key);
            }
        }

        return listed;
    }

    /// <summary>Waits until none of the keys is listed in the bucket, and fails naming those still there.</summary>
    public static async Task WaitUntilUnlistedAsync(IAmazonS3 s3, string bucket, IReadOnlyCollection<string> keys, TimeSpan timeout)
    {
        var left = await Eventually.AnswerAsync(() => ListedAsync(s3, bucket, keys), left => left.Count == 0, timeout);
        Assert.True(left.Count == 0, $"still listed in {bucket}: {string.Join(", ", left)}");
    }
}
