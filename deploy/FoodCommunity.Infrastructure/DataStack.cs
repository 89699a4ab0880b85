using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ElastiCache;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;
using InstanceType = Amazon.CDK.AWS.EC2.InstanceType;

namespace FoodCommunity.Infrastructure;

/// <summary>The RDS and ElastiCache boxes: MySQL with its read replica, Redis for likes and sessions.</summary>
public sealed class DataStack : Stack
{
    public const string DatabaseName = "foodcommunity";

    public DatabaseInstance Database { get; }
    public DatabaseInstanceReadReplica Replica { get; }

    /// <summary>The RDS-managed secret of the master user (username, password), rotated by RDS.</summary>
    public string DatabaseSecretArn { get; }

    public CfnReplicationGroup Cache { get; }
    public Secret CacheAuthToken { get; }

    /// <summary>ElastiCache names a replication group's nodes after it: -001, -002.</summary>
    public string[] CacheNodeIds { get; }

    public DataStack(Construct scope, string id, Settings settings, NetworkStack network, IStackProps props) : base(scope, id, props)
    {
        var isolated = new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED };

        // RDS (MySQL): the plan's db.m5.large primary, encrypted, backed up, in isolated subnets, never public.
        // Major version only: RDS picks its current 8.4 minor, and AutoMinorVersionUpgrade keeps it current.
        Database = new DatabaseInstance(this, "MySql", new DatabaseInstanceProps
        {
            Engine = DatabaseInstanceEngine.Mysql(new MySqlInstanceEngineProps { Version = MysqlEngineVersion.Of("8.4", "8.4") }),
            InstanceType = new InstanceType(settings.DbInstanceClass),
            Vpc = network.Vpc,
            VpcSubnets = isolated,
            SecurityGroups = [network.DatabaseSecurityGroup],
            DatabaseName = DatabaseName,
            // Replaced below by an RDS-managed secret; the L2 needs some credentials to render.
            Credentials = Credentials.FromPassword("fcadmin", SecretValue.UnsafePlainText("replaced-by-rds-managed-secret")),
            AllocatedStorage = settings.DbStorageGiB,
            StorageType = StorageType.GP3,
            StorageEncrypted = true,
            MultiAz = settings.DbMultiAz,
            PubliclyAccessible = false,
            BackupRetention = Duration.Days(7),
            DeletionProtection = true,
            RemovalPolicy = RemovalPolicy.SNAPSHOT,
            AutoMinorVersionUpgrade = true,
        });
        // RDS keeps the master password in Secrets Manager itself and rotates it: nobody ever sees it.
        var cfnDatabase = (CfnDBInstance)Database.Node.DefaultChild!;
        cfnDatabase.AddPropertyDeletionOverride("MasterUserPassword");
        cfnDatabase.AddPropertyOverride("ManageMasterUserPassword", true);
        DatabaseSecretArn = cfnDatabase.GetAtt("MasterUserSecret.SecretArn").ToString()!;

        // Read replica: feeds and profiles read here (ConnectionStrings:MySqlReplica).
        Replica = new DatabaseInstanceReadReplica(this, "MySqlReplica", new DatabaseInstanceReadReplicaProps
        {
            SourceDatabaseInstance = Database,
            InstanceType = new InstanceType(settings.DbInstanceClass),
            Vpc = network.Vpc,
            VpcSubnets = isolated,
            SecurityGroups = [network.DatabaseSecurityGroup],
            StorageEncrypted = true,
            PubliclyAccessible = false,
            DeletionProtection = true,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });

        // ElastiCache (Redis): likes and sessions must never be evicted, and travel encrypted with a password.
        CacheAuthToken = new Secret(this, "RedisAuthToken", new SecretProps
        {
            Description = "AUTH token of the FoodCommunity Redis replication group",
            GenerateSecretString = new SecretStringGenerator { PasswordLength = 64, ExcludePunctuation = true },
        });
        var cacheSubnets = new CfnSubnetGroup(this, "RedisSubnets", new CfnSubnetGroupProps
        {
            Description = "FoodCommunity Redis: isolated subnets",
            SubnetIds = network.Vpc.SelectSubnets(isolated).SubnetIds,
        });
        var cacheParameters = new CfnParameterGroup(this, "RedisParameters", new CfnParameterGroupProps
        {
            CacheParameterGroupFamily = "redis7",
            Description = "noeviction: like events, sessions and rate-limit windows are never evicted",
            Properties = new Dictionary<string, string> { ["maxmemory-policy"] = "noeviction" },
        });
        const string groupId = "foodcommunity";
        CacheNodeIds = [$"{groupId}-001", $"{groupId}-002"];
        Cache = new CfnReplicationGroup(this, "Redis", new CfnReplicationGroupProps
        {
            ReplicationGroupId = groupId,
            ReplicationGroupDescription = "FoodCommunity likes, sessions, rate limits, caches",
            Engine = "redis",
            EngineVersion = "7.1",
            CacheNodeType = settings.CacheNodeType,
            NumCacheClusters = 2,
            AutomaticFailoverEnabled = true,
            MultiAzEnabled = true,
            TransitEncryptionEnabled = true,
            AtRestEncryptionEnabled = true,
            AuthToken = CacheAuthToken.SecretValue.UnsafeUnwrap(),
            CacheParameterGroupName = cacheParameters.Ref,
            CacheSubnetGroupName = cacheSubnets.Ref,
            SecurityGroupIds = [network.CacheSecurityGroup.SecurityGroupId],
            SnapshotRetentionLimit = 1,
            Port = 6379,
        });
    }
}
