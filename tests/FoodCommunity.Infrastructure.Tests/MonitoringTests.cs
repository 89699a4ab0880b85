namespace FoodCommunity.Infrastructure.Tests;

/// <summary>The design's section 4: every metric on the dashboard, and each alarm to the SNS topic.</summary>
public sealed class MonitoringTests(SynthesizedApp app)
{
    private string DashboardBody => TemplateText.Flatten(app.Single(app.Stacks.Monitoring, "AWS::CloudWatch::Dashboard")["Properties"]!["DashboardBody"]);

    [Theory]
    [InlineData("AWS/EC2", "CPUCreditBalance")]
    [InlineData("CWAgent", "mem_used_percent")]
    [InlineData("AWS/ApplicationELB", "RequestCount")]
    [InlineData("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count")]
    [InlineData("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count")]
    [InlineData("AWS/ApplicationELB", "TargetResponseTime")]
    [InlineData("AWS/RDS", "DatabaseConnections")]
    [InlineData("AWS/RDS", "ReplicaLag")]
    [InlineData("AWS/RDS", "CPUUtilization")]
    [InlineData("AWS/RDS", "FreeableMemory")]
    [InlineData("AWS/ElastiCache", "DatabaseMemoryUsagePercentage")]
    [InlineData("AWS/ElastiCache", "EngineCPUUtilization")]
    [InlineData("AWS/ElastiCache", "Evictions")]
    [InlineData("AWS/S3", "BucketSizeBytes")]
    [InlineData("AWS/S3", "NumberOfObjects")]
    [InlineData("AWS/Lambda", "Errors")]
    [InlineData("AWS/Lambda", "Duration")]
    [InlineData("AWS/Lambda", "Throttles")]
    [InlineData("AWS/SQS", "ApproximateAgeOfOldestMessage")]
    [InlineData(MonitoringStack.ApiNamespace, MonitoringStack.LikeBacklogAgeMetric)]
    public void Dashboard_ShowsTheDesignsMetric(string metricNamespace, string metric)
    {
        Assert.Contains($"[\"{metricNamespace}\",\"{metric}\"", DashboardBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboard_ShowsTheP99ResponseTime()
    {
        Assert.Matches("\"TargetResponseTime\"[^\\]]*\"stat\":\"p99\"", DashboardBody);
    }

    [Theory]
    [InlineData("LowCpuCredits", "CPUCreditBalance", "LessThanThreshold", 50)]
    [InlineData("ReplicaLag", "ReplicaLag", "GreaterThanThreshold", 5)]
    [InlineData("DatabaseConnections", "DatabaseConnections", "GreaterThanThreshold", 682 * 0.8)]
    [InlineData("Alb5xxRate", "HTTPCode_Target_5XX_Count", "GreaterThanThreshold", 1)]
    [InlineData("LikeBacklogAge", MonitoringStack.LikeBacklogAgeMetric, "GreaterThanThreshold", 10)]
    [InlineData("RedisMemory", "DatabaseMemoryUsagePercentage", "GreaterThanThreshold", 75)]
    [InlineData("RedisEvictions", "Evictions", "GreaterThanThreshold", 0)]
    [InlineData("ImagesDeadLetters", "ApproximateNumberOfMessagesVisible", "GreaterThanThreshold", 0)]
    public void Alarm_NotifiesTheTopic(string id, string metric, string comparison, double threshold)
    {
        var alarm = Assert.Single(app.Resources("AWS::CloudWatch::Alarm"), a => a.Id.StartsWith(id, StringComparison.Ordinal) && a.Id.Length == id.Length + 8).Resource["Properties"]!;
        Assert.Contains($"\"{metric}\"", alarm.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(comparison, (string?)alarm["ComparisonOperator"]);
        Assert.Equal(threshold, (double)alarm["Threshold"]!);
        var action = Assert.Single(alarm["AlarmActions"]!.AsArray());
        Assert.StartsWith("Alarms", (string)action!["Ref"]!, StringComparison.Ordinal);
        Assert.Single(app.Resources("AWS::SNS::Subscription"), s => (string?)s.Resource["Properties"]!["Protocol"] == "email");
    }
}
