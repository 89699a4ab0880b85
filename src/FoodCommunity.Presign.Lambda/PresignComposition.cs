using FoodCommunity.Presign.Lambda.Uploads;
using Microsoft.Extensions.Configuration;

namespace FoodCommunity.Presign.Lambda;

/// <summary>Wires the function once per process; both hosts call this, so they cannot drift apart.</summary>
public static class PresignComposition
{
    public static PresignFunction CreateFunction(IConfiguration configuration, TimeProvider time)
    {
        var storage = StorageSettings.FromConfiguration(configuration);
        var signer = new S3UploadFormSigner(storage.CreateClient(), storage.BucketName);
        return new PresignFunction(new PresignHandler(signer, time));
    }
}
