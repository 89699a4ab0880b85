using System.Text.Json;
using FoodCommunity.Domain.Uploads;
using FoodCommunity.Images.Lambda.Events;
using FoodCommunity.Images.Lambda.Processing;

namespace FoodCommunity.Images.Lambda;

/// <summary>
/// The function as both hosts see it: an SQS batch of S3 <c>ObjectCreated</c> notifications in, the messages to
/// retry out. A message fails only when its upload could not be processed for a reason worth retrying (S3
/// unavailable, the deadline reached); an image that cannot be processed is refused, recorded, and done.
/// </summary>
public sealed class ImagesFunction(UploadHandler handler, string bucketName)
{
    public async Task<SqsBatchResponse> HandleAsync(SqsEvent sqsEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sqsEvent);
        var failures = new List<SqsBatchItemFailure>();
        // One at a time: decoding is CPU-bound and the function has one vCPU's share.
        foreach (var message in sqsEvent.Records ?? [])
        {
            try
            {
                foreach (var key in UploadKeysOf(message))
                {
                    var result = await handler.HandleAsync(key, cancellationToken);
                    await Console.Out.WriteLineAsync($"{key}: {result}");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"Message {message.MessageId} failed and returns to the queue: {e}");
                failures.Add(new SqsBatchItemFailure(message.MessageId));
            }
            catch (OperationCanceledException)
            {
                // Out of time: this and every message not reached yet go back to the queue.
                failures.AddRange((sqsEvent.Records ?? []).SkipWhile(m => m != message).Select(m => new SqsBatchItemFailure(m.MessageId)));
                break;
            }
        }

        return new SqsBatchResponse(failures);
    }

    /// <summary>The Lambda entry: the raw event JSON from the Runtime API, the batch response JSON to post back.</summary>
    public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> eventJson, CancellationToken cancellationToken)
    {
        var sqsEvent = JsonSerializer.Deserialize(eventJson.Span, ImagesJsonContext.Default.SqsEvent)
            ?? throw new JsonException("The invocation event is JSON null, not an SQS event.");
        var response = await HandleAsync(sqsEvent, cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(response, ImagesJsonContext.Default.SqsBatchResponse);
    }

    /// <summary>The message's object-created keys under uploads/ of this function's bucket; a body that is not an S3 event is an error.</summary>
    private IEnumerable<string> UploadKeysOf(SqsMessage message)
    {
        var s3Event = JsonSerializer.Deserialize(message.Body ?? "null", ImagesJsonContext.Default.S3Event)
            ?? throw new JsonException($"Message {message.MessageId} has no S3 event in its body.");
        foreach (var record in s3Event.Records ?? [])
        {
            if (record.EventName?.StartsWith("ObjectCreated:", StringComparison.Ordinal) == true
                && record.S3?.Bucket?.Name == bucketName
                && record.S3.Object?.DecodedKey is { } key
                && key.StartsWith($"{UploadKey.Prefix}/", StringComparison.Ordinal))
            {
                yield return key;
            }
        }
    }
}
