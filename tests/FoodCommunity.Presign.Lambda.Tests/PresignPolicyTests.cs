using System.Text.Json;
using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>The signed POST policy, decoded: what S3 will enforce for the form the function hands out.</summary>
public class PresignPolicyTests
{
    [Fact]
    public async Task Policy_PinsKeyContentTypeLengthRangeAndPendingTag()
    {
        var endpoint = await TestStorage.GetAsync();
        var form = await PresignedForm.RequestAsync(endpoint, "image/webp", 4096);

        var conditions = form.Policy.GetProperty("conditions").EnumerateArray().ToList();
        var exact = conditions
            .Where(c => c.ValueKind == JsonValueKind.Object)
            .Select(c => c.EnumerateObject().Single())
            .ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(endpoint.Settings.BucketName, exact["bucket"]);
        Assert.Equal(form.Key, exact["key"]);
        Assert.Equal("image/webp", exact["Content-Type"]);
        Assert.Equal("<Tagging><TagSet><Tag><Key>state</Key><Value>pending</Value></Tag></TagSet></Tagging>", exact["tagging"]);
        var range = Assert.Single(conditions, c => c.ValueKind == JsonValueKind.Array && c[0].GetString() == "content-length-range");
        Assert.Equal(1, range[1].GetInt64());
        Assert.Equal(UploadPolicy.MaxBytes, range[2].GetInt64());
        // No starts-with conditions: a prefix rule would let a client pick its own key or type.
        Assert.DoesNotContain(conditions, c => c.ValueKind == JsonValueKind.Array && c[0].GetString() == "starts-with");
        Assert.DoesNotContain(conditions, c => c.ValueKind == JsonValueKind.Object && c.EnumerateObject().Single().Name is "acl" or "success_action_redirect");
    }

    [Fact]
    public async Task Policy_ExpiresFiveMinutesAfterIssueAsTheResponseSays()
    {
        var endpoint = await TestStorage.GetAsync();
        var before = DateTimeOffset.UtcNow;

        var form = await PresignedForm.RequestAsync(endpoint, "image/jpeg", 1);

        var expiration = form.Policy.GetProperty("expiration").GetDateTimeOffset();
        Assert.Equal(form.ExpiresAt, expiration);
        Assert.InRange(expiration, before + UploadPolicy.FormLifetime - TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow + UploadPolicy.FormLifetime);
        Assert.Equal(TimeSpan.Zero, expiration.Offset);
    }

    [Fact]
    public async Task Form_CarriesEveryFieldThePolicyRequires()
    {
        var endpoint = await TestStorage.GetAsync();

        var form = await PresignedForm.RequestAsync(endpoint, "image/webp", 99);

        Assert.Equal("POST", form.Method);
        Assert.Equal(form.Key, form.Fields["key"]);
        Assert.Equal("image/webp", form.Fields["Content-Type"]);
        Assert.Equal("AWS4-HMAC-SHA256", form.Fields["x-amz-algorithm"]);
        Assert.Matches("^[0-9a-f]{64}$", form.Fields["x-amz-signature"]);
        Assert.Contains("/s3/aws4_request", form.Fields["x-amz-credential"], StringComparison.Ordinal);
        Assert.Equal(UploadPolicy.MaxBytes, form.MaxBytes);
        // Every exact condition other than the bucket (given by the URL) must be satisfiable from the fields.
        foreach (var condition in form.Policy.GetProperty("conditions").EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Object))
        {
            var (name, value) = (condition.EnumerateObject().Single().Name, condition.EnumerateObject().Single().Value.GetString());
            if (name != "bucket")
            {
                Assert.Equal(value, form.Fields[name]);
            }
        }
    }

    [Fact]
    public async Task FormUrl_UsesTheEndpointsScheme()
    {
        var endpoint = await TestStorage.GetAsync();

        var form = await PresignedForm.RequestAsync(endpoint, "image/png", 10);

        Assert.Equal(endpoint.Settings.ServiceUrl!.Scheme, form.Url.Scheme);
        Assert.Equal(endpoint.Settings.ServiceUrl.Authority, form.Url.Authority);
    }
}
