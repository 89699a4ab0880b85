using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;

namespace FoodCommunity.Infrastructure;

/// <summary>Design §4 as code: one dashboard, and alarms to one SNS topic.</summary>
public sealed class MonitoringStack : Stack
{
    public const string ApiNamespace = "FoodCommunity";
    public const string LikeBacklogAgeMetric = "foodcommunity_likes_oldest_pending_age_seconds";

    public Dashboard Dashboard { get; }
    public Topic AlarmTopic { get; }

    public MonitoringStack(Construct scope, string id, Settings settings, DataStack data, UploadsStack uploads,
        ImagesStack images, FleetStack fleet, IStackProps props) : base(scope, id, props)
    {
        var asg = new Dictionary<string, string> { ["AutoScalingGroupName"] = FleetStack.AutoScalingGroupName };
        var fiveMinutes = Duration.Minutes(5);
        var minute = Duration.Minutes(1);
        Metric M(string ns, string name, IDictionary<string, string> dims, string stat, Duration? period = null, string? label = null) =>
            new(new MetricProps { Namespace = ns, MetricName = name, DimensionsMap = dims, Statistic = stat, Period = period ?? minute, Label = label });

        // EC2: T-type CPU credits, and memory through the CloudWatch agent.
        var cpuCredits = M("AWS/EC2", "CPUCreditBalance", asg, "Minimum", fiveMinutes);
        var memory = M("CWAgent", "mem_used_percent", asg, "Maximum");

        // ALB.
        var requests = fleet.Alb.Metrics.RequestCount(new MetricOptions { Period = minute, Statistic = "Sum" });
        var target5xx = fleet.Alb.Metrics.HttpCodeTarget(Amazon.CDK.AWS.ElasticLoadBalancingV2.HttpCodeTarget.TARGET_5XX_COUNT, new MetricOptions { Period = minute, Statistic = "Sum" });
        var alb5xx = fleet.Alb.Metrics.HttpCodeElb(Amazon.CDK.AWS.ElasticLoadBalancingV2.HttpCodeElb.ELB_5XX_COUNT, new MetricOptions { Period = minute, Statistic = "Sum" });
        var p99 = fleet.Alb.Metrics.TargetResponseTime(new MetricOptions { Period = minute, Statistic = "p99" });

        // RDS: connections, replica lag, CPU and free memory of both instances.
        var connections = data.Database.MetricDatabaseConnections(new MetricOptions { Period = minute, Statistic = "Maximum" });
        var replicaLag = data.Replica.Metric("ReplicaLag", new MetricOptions { Period = minute, Statistic = "Maximum" });
        IMetric[] RdsPair(string name, string stat) =>
        [
            data.Database.Metric(name, new MetricOptions { Period = minute, Statistic = stat, Label = "primary" }),
            data.Replica.Metric(name, new MetricOptions { Period = minute, Statistic = stat, Label = "replica" }),
        ];

        // ElastiCache: each node of the replication group.
        IMetric[] CacheNodes(string name, string stat) => data.CacheNodeIds
            .Select(node => (IMetric)M("AWS/ElastiCache", name, new Dictionary<string, string> { ["CacheClusterId"] = node }, stat, label: node))
            .ToArray();

        // S3: the design's bucket size (storage cost), daily.
        var bucket = new Dictionary<string, string> { ["BucketName"] = uploads.Bucket.BucketName };
        var bucketSize = M("AWS/S3", "BucketSizeBytes", new Dictionary<string, string>(bucket) { ["StorageType"] = "StandardStorage" }, "Average", Duration.Days(1));
        var objectCount = M("AWS/S3", "NumberOfObjects", new Dictionary<string, string>(bucket) { ["StorageType"] = "AllStorageTypes" }, "Average", Duration.Days(1));

        // The API's own gauge (docs/likes.md), scraped from /metrics by the agent.
        var likeBacklogAge = M(ApiNamespace, LikeBacklogAgeMetric, new Dictionary<string, string> { ["job"] = "foodcommunity-api" }, "Maximum");

        // The image function and its queue: a growing age means uploads wait for renditions (posts answer 409 meanwhile).
        var imagesFunction = images.ImagesFunction;
        var oldestUploadEvent = images.UploadEvents.MetricApproximateAgeOfOldestMessage(new MetricOptions { Period = minute, Statistic = "Maximum" });
        var deadLetters = images.DeadLetters.MetricApproximateNumberOfMessagesVisible(new MetricOptions { Period = fiveMinutes, Statistic = "Maximum" });

        Dashboard = new Dashboard(this, "Dashboard", new DashboardProps { DashboardName = "FoodCommunity" });
        Dashboard.AddWidgets(
            Graph("EC2 CPU credit balance (min)", cpuCredits),
            Graph("EC2 memory used % (max)", memory),
            Graph("ALB requests", requests),
            Graph("ALB 5xx", target5xx, alb5xx));
        Dashboard.AddWidgets(
            Graph("ALB p99 target response time", p99),
            Graph("RDS connections", connections),
            Graph("RDS replica lag (s)", replicaLag),
            Graph("RDS CPU %", RdsPair("CPUUtilization", "Average")));
        Dashboard.AddWidgets(
            Graph("RDS freeable memory", RdsPair("FreeableMemory", "Minimum")),
            Graph("Redis memory %", CacheNodes("DatabaseMemoryUsagePercentage", "Maximum")),
            Graph("Redis engine CPU %", CacheNodes("EngineCPUUtilization", "Maximum")),
            Graph("Redis evictions", CacheNodes("Evictions", "Sum")));
        Dashboard.AddWidgets(
            Graph("S3 bucket size (bytes)", bucketSize),
            Graph("S3 objects", objectCount),
            Graph("Lambda presign errors, throttles", uploads.PresignFunction.MetricErrors(new MetricOptions { Period = minute }), uploads.PresignFunction.MetricThrottles(new MetricOptions { Period = minute })),
            Graph("Lambda presign duration p99", uploads.PresignFunction.MetricDuration(new MetricOptions { Period = minute, Statistic = "p99" })));
        Dashboard.AddWidgets(
            Graph("Lambda images errors, throttles", imagesFunction.MetricErrors(new MetricOptions { Period = minute }), imagesFunction.MetricThrottles(new MetricOptions { Period = minute })),
            Graph("Lambda images duration p99", imagesFunction.MetricDuration(new MetricOptions { Period = minute, Statistic = "p99" })),
            Graph("SQS upload events, oldest (s)", oldestUploadEvent),
            Graph("SQS image dead letters", deadLetters));
        Dashboard.AddWidgets(Graph("Like backlog age (s)", likeBacklogAge));

        AlarmTopic = new Topic(this, "Alarms", new TopicProps { DisplayName = "FoodCommunity alarms" });
        AlarmTopic.AddSubscription(new EmailSubscription(settings.AlarmEmail));

        // t4g in unlimited mode: a drained balance means paying surplus credits every hour (capacity.md).
        Alarm("LowCpuCredits", "EC2 CPU credit balance low: the fleet is running above its baseline", cpuCredits, 50,
            ComparisonOperator.LESS_THAN_THRESHOLD, 3);
        // Above the API's read-your-writes window (5 s), a user may not see their own write on the replica.
        Alarm("ReplicaLag", "RDS replica lag above the read-your-writes window (5 s)", replicaLag, 5,
            ComparisonOperator.GREATER_THAN_THRESHOLD, 3);
        Alarm("DatabaseConnections", "RDS connections above 80% of max_connections", connections, settings.DbMaxConnections * 0.8,
            ComparisonOperator.GREATER_THAN_THRESHOLD, 3);
        Alarm("Alb5xxRate", "More than 1% of requests answered 5xx", new MathExpression(new MathExpressionProps
        {
            Expression = "100 * (target5xx + alb5xx) / MAX([requests, 1])",
            UsingMetrics = new Dictionary<string, IMetric> { ["target5xx"] = target5xx, ["alb5xx"] = alb5xx, ["requests"] = requests },
            Period = minute,
            Label = "5xx %",
        }), 1, ComparisonOperator.GREATER_THAN_THRESHOLD, 3);
        // The flusher never takes events younger than 2 s; ten means MySQL is not keeping up or is down.
        Alarm("LikeBacklogAge", "Likes not in MySQL for more than 10 s", likeBacklogAge, 10,
            ComparisonOperator.GREATER_THAN_THRESHOLD, 3, TreatMissingData.BREACHING);
        // An upload that failed five deliveries has no renditions: its author cannot post it until someone looks.
        Alarm("ImagesDeadLetters", "Uploads the image function failed five times are in its dead-letter queue", deadLetters, 0,
            ComparisonOperator.GREATER_THAN_THRESHOLD, 1);
        // noeviction: at 100% every write fails, so warn well before.
        Alarm("RedisMemory", "Redis memory above 75% (noeviction: writes fail when full)", MaxOf(CacheNodes("DatabaseMemoryUsagePercentage", "Maximum"), "memory %"), 75,
            ComparisonOperator.GREATER_THAN_THRESHOLD, 3);
        // With noeviction there must never be one: any means the parameter group drifted.
        Alarm("RedisEvictions", "Redis evicted keys (likes or sessions lost)", MaxOf(CacheNodes("Evictions", "Sum"), "evictions"), 0,
            ComparisonOperator.GREATER_THAN_THRESHOLD, 1);
    }

    private static GraphWidget Graph(string title, params IMetric[] metrics) =>
        new(new GraphWidgetProps { Title = title, Left = metrics, Width = 6 });

    private static MathExpression MaxOf(IMetric[] nodes, string label) => new(new MathExpressionProps
    {
        Expression = "MAX([" + string.Join(", ", nodes.Select((_, i) => $"n{i}")) + "])",
        UsingMetrics = nodes.Select((m, i) => (Key: $"n{i}", m)).ToDictionary(p => p.Key, p => p.m),
        Period = Duration.Minutes(1),
        Label = label,
    });

    private void Alarm(string id, string description, IMetric metric, double threshold, ComparisonOperator comparison,
        int periods, TreatMissingData missing = TreatMissingData.NOT_BREACHING)
    {
        var alarm = new Alarm(this, id, new AlarmProps
        {
            AlarmDescription = description,
            Metric = metric,
            Threshold = threshold,
            ComparisonOperator = comparison,
            EvaluationPeriods = periods,
            TreatMissingData = missing,
        });
        alarm.AddAlarmAction(new SnsAction(AlarmTopic));
    }
}
