using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Storage;

internal static class StorageSetup
{
    public static WebApplicationBuilder AddFoodCommunityStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<PublicUrls>();
        builder.Services.AddSingleton<UploadedImages>();
        builder.Services.AddSingleton<IAmazonS3>(services =>
            CreateClient(services.GetRequiredService<IOptions<StorageOptions>>().Value));
        return builder;
    }

    /// <summary>Credentials come from the SDK's default chain: the instance role on AWS, AWS_* variables elsewhere.</summary>
    public static AmazonS3Client CreateClient(StorageOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            Timeout = TimeSpan.FromSeconds(10),
            MaxErrorRetry = 2,
        };
        if (!string.IsNullOrWhiteSpace(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            // S3-compatible test endpoints (s3rver) do not understand the flexible checksums
            // the SDK sends to AWS by default.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        return new AmazonS3Client(config);
    }
}
