using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace FoodCommunity.Infrastructure.Tests;

/// <summary>RDS MySQL with its replica, and decision 4's ElastiCache Redis.</summary>
public sealed class DataTests(SynthesizedApp app)
{
    private Template Data => app.TemplateOf(app.Stacks.Data);

    private IEnumerable<JsonNode> Databases => app.Resources("AWS::RDS::DBInstance").Select(d => d.Resource["Properties"]!);

    [Fact]
    public void MySql_Is84_Encrypted_BackedUp_AndProtectedFromDeletion()
    {
        Data.HasResourceProperties("AWS::RDS::DBInstance", new Dictionary<string, object>
        {
            ["Engine"] = "mysql",
            ["EngineVersion"] = "8.4",
            ["DBInstanceClass"] = "db.m5.large",
            ["StorageEncrypted"] = true,
            ["BackupRetentionPeriod"] = 7,
            ["DeletionProtection"] = true,
            ["ManageMasterUserPassword"] = true,
            ["MasterUserPassword"] = Match.Absent(),
        });
    }

    [Fact]
    public void MySql_HasAReadReplica_WiredToConnectionStringsMySqlReplica()
    {
        var replica = Assert.Single(Databases, d => d["SourceDBInstanceIdentifier"] is not null);
        Assert.Equal(true, (bool?)replica["StorageEncrypted"]);
        var replicaId = app.Resources("AWS::RDS::DBInstance").Single(d => d.Resource["Properties"]!["SourceDBInstanceIdentifier"] is not null).Id;
        // The fleet imports the replica's endpoint into the MySqlReplica connection string.
        var userData = TemplateText.Flatten(app.Single(app.Stacks.Fleet, "AWS::EC2::LaunchTemplate")["Properties"]!["LaunchTemplateData"]!["UserData"]);
        Assert.Contains("ConnectionStrings__MySqlReplica=\"Server={token};", userData, StringComparison.Ordinal);
        var exports = app.Json[app.Stacks.Data.StackName]["Outputs"]!.AsObject();
        Assert.Contains(exports, o => o.Value!["Value"]!.ToJsonString().Contains($"\"{replicaId}\"", StringComparison.Ordinal)
            && o.Value["Value"]!.ToJsonString().Contains("Endpoint.Address", StringComparison.Ordinal));
    }

    [Fact]
    public void DataStores_AreNotReachableFromTheInternet_AndEncrypted()
    {
        Assert.All(Databases, d =>
        {
            Assert.Equal(false, (bool?)d["PubliclyAccessible"]);
            Assert.Equal(true, (bool?)d["StorageEncrypted"]);
        });
        // Subnet groups take the isolated ("data") subnets only: no route to an internet gateway or the NAT.
        var subnetGroups = app.Resources("AWS::RDS::DBSubnetGroup").Select(g => g.Resource["Properties"]!["SubnetIds"]!)
            .Concat(app.Resources("AWS::ElastiCache::SubnetGroup").Select(g => g.Resource["Properties"]!["SubnetIds"]!));
        Assert.All(subnetGroups, ids => Assert.All(ids.AsArray(), id => Assert.Contains("dataSubnet", id!.ToJsonString(), StringComparison.Ordinal)));
        Data.HasResourceProperties("AWS::ElastiCache::ReplicationGroup", new Dictionary<string, object>
        {
            ["TransitEncryptionEnabled"] = true,
            ["AtRestEncryptionEnabled"] = true,
            ["AuthToken"] = Match.AnyValue(),
        });
    }

    [Fact]
    public void Redis_HasAReplica_FailsOverAutomatically_AndNeverEvicts()
    {
        Data.HasResourceProperties("AWS::ElastiCache::ReplicationGroup", new Dictionary<string, object>
        {
            ["Engine"] = "redis",
            ["CacheNodeType"] = "cache.t4g.small",
            ["NumCacheClusters"] = 2,
            ["AutomaticFailoverEnabled"] = true,
            ["MultiAZEnabled"] = true,
        });
        Data.HasResourceProperties("AWS::ElastiCache::ParameterGroup", new Dictionary<string, object>
        {
            ["Properties"] = new Dictionary<string, object> { ["maxmemory-policy"] = "noeviction" },
        });
    }
}
