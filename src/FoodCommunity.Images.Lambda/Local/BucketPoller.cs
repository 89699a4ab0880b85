using System.Globalization;
using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Domain.Uploads;
using FoodCommunity.Images.Lambda.Events;

namespace FoodCommunity.Images.Lambda.Local;

/// <summary>
/// The function outside Lambda (the dev script, the API's integration tests). s3rver sends no event notifications,
/// and clients upload straight to the bucket, so no one else sees an upload happen: this host lists
/// <c>uploads/</c> every interval and hands each key it has not seen to the same function, as the same SQS
/// event (one message per key) that S3 → SQS would deliver. Polling is only for development: it lists the whole
/// prefix each round, which in production would cost a LIST per interval and grow with the bucket.
/// S3 notifies once an object is whole; s3rver lists an object as soon as its bytes are on disk, before
/// its metadata (the Content-Type the function checks), so a key is handed over only from the second
/// round that lists it.
/// </summary>
public sealed class BucketPoller(ImagesFunction function, IAmazonS3 s3, string bucketName, TimeSpan interval)
{
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>Rounds until cancelled (then it returns); a failing round (the bucket not there yet, S3 down) is retried the next interval.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                await Console.Error.WriteLineAsync($"Polling s3://{bucketName}/{UploadKey.Prefix}/ failed: {e.Message}");
            }

            await Task.Delay(interval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One round: every new key under uploads/ processed; returns how many were handed to the function.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var listed = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucketName, Prefix = $"{UploadKey.Prefix}/" };
        ListObjectsV2Response page;
        do
        {
            page = await s3.ListObjectsV2Async(request, cancellationToken);
            listed.AddRange((page.S3Objects ?? []).Select(o => o.Key).Where(key => !_done.Contains(key)));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        var fresh = listed.Where(_seen.Contains).ToList();
        _seen = listed.ToHashSet(StringComparer.Ordinal);
        if (fresh.Count == 0)
        {
            return 0;
        }

        var messages = fresh.Select((key, i) => new SqsMessage(i.ToString(CultureInfo.InvariantCulture), EventBody(key))).ToList();
        var response = await function.HandleAsync(new SqsEvent(messages), cancellationToken);
        var failed = response.BatchItemFailures.Select(f => f.ItemIdentifier).ToHashSet(StringComparer.Ordinal);
        // A failed message is retried next round, as the queue would redeliver it.
        _done.UnionWith(messages.Where(m => !failed.Contains(m.MessageId)).Select(m => fresh[int.Parse(m.MessageId, CultureInfo.InvariantCulture)]));
        return fresh.Count;
    }

    private string EventBody(string key) => JsonSerializer.Serialize(
        new S3Event([new S3EventRecord("ObjectCreated:Post", new S3EventEntity(new S3EventBucket(bucketName), new S3EventObject(WebUtility.UrlEncode(key), null)))]),
        ImagesJsonContext.Default.S3Event);
}
