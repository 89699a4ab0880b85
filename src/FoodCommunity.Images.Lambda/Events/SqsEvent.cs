namespace FoodCommunity.Images.Lambda.Events;

/// <summary>What Lambda's SQS event source mapping delivers: a batch of queue messages.</summary>
public sealed record SqsEvent(IReadOnlyList<SqsMessage>? Records);

/// <summary>One queue message; its body is the S3 event notification the bucket sent to the queue.</summary>
public sealed record SqsMessage(string MessageId, string? Body);

/// <summary>
/// The answer when the mapping has <c>ReportBatchItemFailures</c>: only the messages listed here return to the
/// queue (and after its maxReceiveCount, to the dead-letter queue); the rest of the batch is deleted.
/// </summary>
public sealed record SqsBatchResponse(IReadOnlyList<SqsBatchItemFailure> BatchItemFailures);

public sealed record SqsBatchItemFailure(string ItemIdentifier);
