using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Images.Lambda.Processing;

public sealed class S3ImageStore(IAmazonS3 s3, string bucketName) : IImageStore
{
    public string BucketName => bucketName;

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await s3.GetObjectMetadataAsync(bucketName, key, cancellationToken);
            return true;
        }
        // Without s3:ListBucket, S3 answers a missing key with 403 rather than 404.
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return false;
        }
    }

    public async Task<StoredObject?> ReadAsync(string key, long maxBytes, CancellationToken cancellationToken)
    {
        GetObjectResponse response;
        try
        {
            response = await s3.GetObjectAsync(bucketName, key, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return null;
        }

        using (response)
        {
            var length = response.ContentLength;
            if (length > maxBytes)
            {
                return new StoredObject(length, response.Headers.ContentType, null);
            }

            var bytes = new byte[length];
            await response.ResponseStream.ReadExactlyAsync(bytes, cancellationToken);
            return new StoredObject(length, response.Headers.ContentType, bytes);
        }
    }

    /// <summary>
    /// Write-once (If-None-Match: *): a duplicate delivery that reaches an object after the first one wrote it
    /// must not overwrite it, or its state=pending tag would undo the API's state=attached and let the
    /// lifecycle rule delete a posted image. S3 answers such a write 412, which means "already written".
    /// </summary>
    public async Task WriteAsync(string key, byte[] bytes, string contentType, string cacheControl, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(bytes, writable: false);
        try
        {
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucketName,
                Key = key,
                InputStream = content,
                ContentType = contentType,
                Headers = { CacheControl = cacheControl },
                TagSet = [new Tag { Key = UploadPolicy.PendingTagKey, Value = UploadPolicy.PendingTagValue }],
                IfNoneMatch = "*",
                UseChunkEncoding = false,
            }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            // Written by another delivery of the same event: the same bytes are there already.
        }
    }
}
