using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Annotations = Amazon.CDK.Assertions.Annotations;

namespace FoodCommunity.Infrastructure.Tests;

/// <summary>docs/images.md, "What the deployment needs": the queue, the trigger, the function and who may do what.</summary>
public sealed class ImagesTests(SynthesizedApp app)
{
    private Template Images => app.TemplateOf(app.Stacks.Images);

    private JsonObject Resource(string type, string idPrefix) =>
        Assert.Single(app.Resources(type), r => r.Stack == app.Stacks.Images.StackName && r.Id.StartsWith(idPrefix, StringComparison.Ordinal)).Resource;

    private static List<JsonNode> Statements(JsonObject policy) => TemplateText.AsList(policy["Properties"]!["PolicyDocument"]!["Statement"]).Select(s => s!).ToList();

    private static string[] Actions(JsonNode statement) => TemplateText.AsList(statement["Action"]).Select(a => (string)a!).ToArray();

    /// <summary>Each allowed S3 action with the bucket path it applies to ("" for the bucket itself), e.g. "s3:GetObject images/*".</summary>
    private static string[] S3Grants(IEnumerable<JsonNode> statements) =>
        statements.Where(s => (string?)s["Effect"] == "Allow")
            .SelectMany(s => Actions(s).Where(a => a.StartsWith("s3:", StringComparison.Ordinal))
                .SelectMany(a => TemplateText.AsList(s["Resource"]).Select(r => $"{a} {TemplateText.Flatten(r).Replace("{token}", "", StringComparison.Ordinal).TrimStart('/')}".TrimEnd())))
            .Order(StringComparer.Ordinal)
            .ToArray();

    [Fact]
    public void ImagesFunction_IsTheNativeAotZip_OnArm64_With1024MbAnd30Seconds()
    {
        Assert.False(app.Stacks.Images.UsesPlaceholderCode);
        var function = Resource("AWS::Lambda::Function", "ImagesFunction")["Properties"]!;
        Assert.Equal("provided.al2023", (string?)function["Runtime"]);
        Assert.Equal("[\"arm64\"]", function["Architectures"]!.ToJsonString());
        Assert.Equal("bootstrap", (string?)function["Handler"]);
        Assert.Matches(@"^[0-9a-f]{64}\.zip$", (string)function["Code"]!["S3Key"]!);
        Assert.Equal(1024, (int)function["MemorySize"]!);
        Assert.Equal(30, (int)function["Timeout"]!);
        Assert.Equal(app.Defaults.ImagesConcurrency, (int)function["ReservedConcurrentExecutions"]!);
        Assert.Null(function["VpcConfig"]);
        // The bucket is the one setting it needs; the SDK takes the region from Lambda's AWS_REGION.
        var environment = function["Environment"]!["Variables"]!.AsObject();
        Assert.Equal(["Storage__BucketName"], environment.Select(v => v.Key));
        Assert.Contains("PhotoBucket", environment["Storage__BucketName"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingImagesZip_SynthesizesAPlaceholder_AndWarns()
    {
        var outdir = Directory.CreateTempSubdirectory("fc-cdk-images-placeholder-").FullName;
        var scratch = new App(new AppProps { Outdir = outdir });
        var settings = new Settings { ImagesZip = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.zip") };
        var uploads = new UploadsStack(scratch, "Uploads", settings, new StackProps());

        var images = new ImagesStack(scratch, "Images", settings, uploads, new StackProps());

        Assert.True(images.UsesPlaceholderCode);
        Annotations.FromStack(images).HasWarning("/Images/ImagesFunction", Match.StringLikeRegexp("does not exist: the function gets a placeholder"));
        Template.FromStack(images).HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "bootstrap",
            ["Code"] = Match.ObjectLike(new Dictionary<string, object> { ["S3Key"] = Match.AnyValue() }),
        });
        Directory.Delete(outdir, recursive: true);
    }

    [Fact]
    public void UploadEvents_OutwaitSixFunctionTimeouts_AndGoToTheDeadLetterQueueAfterFiveReceives()
    {
        var queue = Resource("AWS::SQS::Queue", "UploadEvents")["Properties"]!;
        Assert.True((int)queue["VisibilityTimeout"]! >= 6 * 30, "Lambda's advice for SQS sources: visibility at least 6 × the function timeout");
        Assert.Equal(5, (int)queue["RedrivePolicy"]!["maxReceiveCount"]!);
        var deadLetters = Assert.Single(app.Resources("AWS::SQS::Queue"), r => r.Id.StartsWith("DeadLetters", StringComparison.Ordinal));
        Assert.Equal(deadLetters.Id, (string?)queue["RedrivePolicy"]!["deadLetterTargetArn"]!["Fn::GetAtt"]![0]);
        Assert.All(app.Resources("AWS::SQS::Queue"), q => Assert.Equal(true, (bool?)q.Resource["Properties"]!["SqsManagedSseEnabled"]));
    }

    [Fact]
    public void PhotoBucket_SendsObjectCreatedUnderUploadsToTheQueue_AndNothingElse()
    {
        var notification = Assert.Single(app.Resources("Custom::S3BucketNotifications")).Resource;
        var configuration = notification["Properties"]!["NotificationConfiguration"]!.AsObject();
        Assert.Equal(["QueueConfigurations"], configuration.Select(c => c.Key));
        var queue = Assert.Single(configuration["QueueConfigurations"]!.AsArray())!;
        Assert.Equal("[\"s3:ObjectCreated:*\"]", queue["Events"]!.ToJsonString());
        Assert.Equal("[{\"Name\":\"prefix\",\"Value\":\"uploads/\"}]", queue["Filter"]!["Key"]!["FilterRules"]!.ToJsonString());
        Assert.StartsWith("UploadEvents", (string)queue["QueueArn"]!["Fn::GetAtt"]![0]!, StringComparison.Ordinal);
        // S3 checks that it may send when the notification is put: the queue policy must exist first.
        Assert.Contains(TemplateText.AsList(notification["DependsOn"]), d => ((string?)d)!.StartsWith("UploadEventsPolicy", StringComparison.Ordinal));
    }

    [Fact]
    public void UploadEvents_AcceptMessagesOnlyFromThePhotoBucket_InThisAccount()
    {
        var send = Assert.Single(Statements(Resource("AWS::SQS::QueuePolicy", "UploadEventsPolicy")), s => (string?)s["Effect"] == "Allow");
        Assert.Equal("s3.amazonaws.com", (string?)send["Principal"]!["Service"]);
        Assert.Contains("sqs:SendMessage", Actions(send));
        Assert.Contains("PhotoBucket", send["Condition"]!["ArnLike"]!["aws:SourceArn"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("{\"Ref\":\"AWS::AccountId\"}", send["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.ToJsonString());
    }

    [Fact]
    public void EventSourceMapping_TakesBatchesOfFive_RetriesOnlyFailedMessages_AndStopsAtTheReservedConcurrency()
    {
        Images.HasResourceProperties("AWS::Lambda::EventSourceMapping", new Dictionary<string, object>
        {
            ["BatchSize"] = 5,
            ["FunctionResponseTypes"] = new[] { "ReportBatchItemFailures" },
            ["ScalingConfig"] = new Dictionary<string, object> { ["MaximumConcurrency"] = app.Defaults.ImagesConcurrency },
            ["EventSourceArn"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new object[] { Match.StringLikeRegexp("^UploadEvents"), "Arn" } },
            ["FunctionName"] = new Dictionary<string, object> { ["Ref"] = Match.StringLikeRegexp("^ImagesFunction") },
        });
    }

    [Fact]
    public void ImagesRole_ReadsUploads_WritesOnlyRenditions_AndConsumesOnlyItsQueue()
    {
        var statements = Statements(Resource("AWS::IAM::Policy", "ImagesFunctionServiceRoleDefaultPolicy"));
        Assert.Equal(
            [
                "s3:GetObject images/*", "s3:GetObject uploads/*", "s3:ListBucket",
                "s3:PutObject images/*", "s3:PutObjectTagging images/*",
            ],
            S3Grants(statements));
        var sqs = Assert.Single(statements, s => Actions(s).Any(a => a.StartsWith("sqs:", StringComparison.Ordinal)));
        Assert.Contains("sqs:ReceiveMessage", Actions(sqs));
        Assert.Contains("sqs:DeleteMessage", Actions(sqs));
        Assert.DoesNotContain("sqs:SendMessage", Actions(sqs));
        Assert.StartsWith("UploadEvents", (string)sqs["Resource"]!["Fn::GetAtt"]![0]!, StringComparison.Ordinal);
        Assert.All(statements, s => Assert.All(Actions(s), a => Assert.Matches("^(s3|sqs):", a)));
    }

    [Fact]
    public void ApiRole_ReadsManifests_RetagsRenditions_DeletesBoth_ButNeverTagsUploads()
    {
        var policy = Assert.Single(app.Resources("AWS::IAM::Policy"), p => p.Stack == app.Stacks.Fleet.StackName && p.Id.StartsWith("ApiRoleDefaultPolicy", StringComparison.Ordinal)).Resource;
        var photoBucket = Statements(policy).Where(s => TemplateText.AsList(s["Resource"]).Any(r => r!.ToJsonString().Contains("PhotoBucket", StringComparison.Ordinal)));
        Assert.Equal(
            [
                "s3:DeleteObject images/*", "s3:DeleteObject uploads/*",
                // uploads/*: the HEAD that tells "still processing" from "never uploaded"; S3 authorizes HEAD as GetObject.
                "s3:GetObject images/*", "s3:GetObject uploads/*",
                "s3:ListBucket", "s3:PutObjectTagging images/*",
            ],
            S3Grants(photoBucket));
    }

    [Fact]
    public void PhotoBucket_ExpiresPendingRenditionsAfterTwoDays_AndPendingUploadsAfterOne()
    {
        var rules = app.Single(app.Stacks.Uploads, "AWS::S3::Bucket")["Properties"]!["LifecycleConfiguration"]!["Rules"]!.AsArray();
        string Rule(string prefix) => Assert.Single(rules, r => (string?)r!["Prefix"] == prefix)!.ToJsonString();
        Assert.Contains("\"TagFilters\":[{\"Key\":\"state\",\"Value\":\"pending\"}]", Rule("images/"), StringComparison.Ordinal);
        Assert.Contains("\"ExpirationInDays\":2", Rule("images/"), StringComparison.Ordinal);
        Assert.Contains("\"TagFilters\":[{\"Key\":\"state\",\"Value\":\"pending\"}]", Rule("uploads/"), StringComparison.Ordinal);
        Assert.Contains("\"ExpirationInDays\":1", Rule("uploads/"), StringComparison.Ordinal);
    }

    [Fact]
    public void DeadLetters_RaiseAnAlarm_AndTheDashboardShowsTheFunctionAndItsQueue()
    {
        var alarm = Assert.Single(app.Resources("AWS::CloudWatch::Alarm"), a => a.Id.StartsWith("ImagesDeadLetters", StringComparison.Ordinal)).Resource["Properties"]!;
        Assert.Equal("ApproximateNumberOfMessagesVisible", (string?)alarm["MetricName"]);
        Assert.Contains("DeadLetters", alarm["Dimensions"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, (double)alarm["Threshold"]!);
        Assert.StartsWith("Alarms", (string)alarm["AlarmActions"]![0]!["Ref"]!, StringComparison.Ordinal);
        var dashboard = app.Single(app.Stacks.Monitoring, "AWS::CloudWatch::Dashboard")["Properties"]!["DashboardBody"]!.ToJsonString();
        Assert.Contains("RefImagesFunction", dashboard, StringComparison.Ordinal);
        Assert.Contains("UploadEvents", dashboard, StringComparison.Ordinal);
    }
}
