using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Lambda.EventSources;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SQS;
using Amazon.JSII.Runtime.Deputy;
using Constructs;

namespace FoodCommunity.Infrastructure;

/// <summary>docs/images.md's pipeline: S3 ObjectCreated → SQS queue (and its dead-letter queue) → Lambda: images.</summary>
public sealed class ImagesStack : Stack
{
    public const int FunctionTimeoutSeconds = 30;

    public Function ImagesFunction { get; }
    public Queue UploadEvents { get; }
    public Queue DeadLetters { get; }

    /// <summary>True when the Native AOT zip was missing and a placeholder that fails every cold start was used.</summary>
    public bool UsesPlaceholderCode { get; }

    public ImagesStack(Construct scope, string id, Settings settings, UploadsStack uploads, IStackProps props) : base(scope, id, props)
    {
        // Imported, so the notification lives here and the Uploads stack does not depend on this one.
        var bucket = Bucket.FromBucketAttributes(this, "PhotoBucket", new BucketAttributes { BucketArn = uploads.Bucket.BucketArn });

        // Dead-letter queue: an upload that failed five deliveries (S3 errors, the deadline) waits here for a look; refusals never do.
        DeadLetters = new Queue(this, "DeadLetters", new QueueProps
        {
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RetentionPeriod = Duration.Days(14),
        });

        // SQS queue: visibility 6 × the function's timeout, as Lambda advises for SQS sources, so a slow batch is not redelivered mid-run.
        UploadEvents = new Queue(this, "UploadEvents", new QueueProps
        {
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            VisibilityTimeout = Duration.Seconds(6 * FunctionTimeoutSeconds),
            DeadLetterQueue = new DeadLetterQueue { Queue = DeadLetters, MaxReceiveCount = 5 },
        });

        // Trigger: only S3 in this account, for this bucket, may send (confused-deputy conditions).
        var s3Sends = UploadEvents.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PhotoBucketSendsUploadEvents",
            Principals = [new ServicePrincipal("s3.amazonaws.com")],
            Actions = ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
            Resources = [UploadEvents.QueueArn],
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object> { ["aws:SourceArn"] = bucket.BucketArn },
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = Account },
            },
        }));
        bucket.AddEventNotification(EventType.OBJECT_CREATED, new QueueDestination(UploadEvents, s3Sends.PolicyDependable!),
            new NotificationKeyFilter { Prefix = UploadsStack.UploadsPrefix });

        // Lambda: images: Native AOT on arm64 with libvips beside it; 1,024 MB for ~0.58 vCPU (docs/images.md).
        UsesPlaceholderCode = !File.Exists(settings.ImagesZip);
        var code = UsesPlaceholderCode
            ? Code.FromAsset(Path.Combine(AppContext.BaseDirectory, "placeholder-images"))
            : Code.FromAsset(settings.ImagesZip);
        ImagesFunction = new Function(this, "ImagesFunction", new FunctionProps
        {
            Description = "Re-encodes each upload into WebP renditions without metadata (docs/images.md)",
            Runtime = Runtime.PROVIDED_AL2023,
            Architecture = Architecture.ARM_64,
            Handler = "bootstrap",
            Code = code,
            MemorySize = 1024,
            Timeout = Duration.Seconds(FunctionTimeoutSeconds),
            // A budget guard: a flood of uploads waits in the queue instead of scaling the bill.
            ReservedConcurrentExecutions = settings.ImagesConcurrency,
            Environment = new Dictionary<string, string> { ["Storage__BucketName"] = uploads.Bucket.BucketName },
            LogGroup = new LogGroup(this, "ImagesLogs", new LogGroupProps { Retention = RetentionDays.TWO_WEEKS, RemovalPolicy = RemovalPolicy.DESTROY }),
        });
        if (UsesPlaceholderCode)
        {
            Annotations.Of(ImagesFunction).AddWarningV2("foodcommunity:images-placeholder",
                $"{settings.ImagesZip} does not exist: the function gets a placeholder that fails every start. Run scripts/package-images.sh linux-arm64 before deploying.");
        }

        // Event source mapping: batches of 5, only the failed messages retried; the pollers stop at the
        // reserved concurrency, so a busy function leaves messages queued instead of throttling them towards the DLQ.
        ImagesFunction.AddEventSource(new SqsEventSource(UploadEvents, new SqsEventSourceProps
        {
            BatchSize = 5,
            ReportBatchItemFailures = true,
            MaxConcurrency = settings.ImagesConcurrency,
        }));

        // Role: read uploads, write renditions and manifests tagged state=pending, nothing else (docs/images.md).
        ImagesFunction.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:GetObject"],
            Resources = [uploads.Bucket.ArnForObjects(UploadsStack.UploadsPrefix + "*")],
        }));
        ImagesFunction.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"],
            Resources = [uploads.Bucket.ArnForObjects(UploadsStack.ImagesPrefix + "*")],
        }));
        // So the manifest check of a new upload is a 404, not a 403.
        ImagesFunction.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:ListBucket"],
            Resources = [uploads.Bucket.BucketArn],
        }));
    }

    /// <summary>
    /// The queue as a notification target without CDK's own queue policy (SqsDestination's lacks
    /// aws:SourceAccount): the policy above, which S3 checks when the notification is put, comes first.
    /// </summary>
    private sealed class QueueDestination(Queue queue, IDependable policy) : DeputyBase, IBucketNotificationDestination
    {
        public IBucketNotificationDestinationConfig Bind(Construct scope, IBucket bucket) => new BucketNotificationDestinationConfig
        {
            Arn = queue.QueueArn,
            Type = BucketNotificationDestinationType.QUEUE,
            Dependencies = [policy],
        };
    }
}
