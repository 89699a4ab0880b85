using Amazon.CDK;

namespace FoodCommunity.Infrastructure;

/// <summary>The whole architecture, in the order an operator deploys it (docs/deploy.md).</summary>
public sealed record FoodCommunityApp(
    NetworkStack Network,
    DataStack Data,
    UploadsStack Uploads,
    ImagesStack Images,
    EdgeStack Edge,
    MailStack Mail,
    FleetStack Fleet,
    MonitoringStack Monitoring,
    WebStack Web)
{
    public static FoodCommunityApp Build(App app, string repoRoot)
    {
        var settings = Settings.FromContext(app, repoRoot);
        // Account from the CLI's credentials when there are some; synthesis needs none.
        var props = new StackProps
        {
            Env = new Amazon.CDK.Environment { Account = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"), Region = settings.Region },
        };
        StackProps Describe(string description) => new() { Env = props.Env, Description = description };

        var network = new NetworkStack(app, "FoodCommunity-Network", settings, Describe("VPC over two AZs, NAT instance, endpoints, security groups"));
        var data = new DataStack(app, "FoodCommunity-Data", settings, network, Describe("RDS MySQL 8.4 with a read replica; ElastiCache Redis"));
        var uploads = new UploadsStack(app, "FoodCommunity-Uploads", settings, Describe("Photo bucket, presign Lambda, HTTP API with the JWT authorizer"));
        var images = new ImagesStack(app, "FoodCommunity-Images", settings, uploads, Describe("Upload events queue with its dead-letter queue, the image Lambda"));
        var edge = new EdgeStack(app, "FoodCommunity-Edge", uploads, Describe("CloudFront with origin access control in front of the photo bucket"));
        var mail = new MailStack(app, "FoodCommunity-Mail", settings, Describe("SES identity of the mail domain, the SMTP sender's IAM user and its credentials secret"));
        var web = new WebStack(app, "FoodCommunity-Web", settings, repoRoot, uploads, edge, Describe("The web client: private bucket, CloudFront with /api/* and /uploads on its origin"));
        var fleet = new FleetStack(app, "FoodCommunity-Fleet", settings, network, data, uploads, edge, mail, web, Describe("The API on t4g (on-demand base + Spot) behind an ALB"));
        var monitoring = new MonitoringStack(app, "FoodCommunity-Monitoring", settings, data, uploads, images, fleet, Describe("Dashboard and alarms of the design's section 4"));
        Tags.Of(app).Add("project", "foodcommunity");
        return new FoodCommunityApp(network, data, uploads, images, edge, mail, fleet, monitoring, web);
    }
}
