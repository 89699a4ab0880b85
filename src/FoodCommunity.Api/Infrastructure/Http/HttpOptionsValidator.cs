using System.Net;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Http;

/// <summary>
/// Behind the ALB every connection comes from the load balancer: without its networks trusted, every
/// client has the ALB's address, so one client's sign-in limit is everyone's. Production refuses that.
/// </summary>
internal sealed class HttpOptionsValidator(IHostEnvironment environment) : IValidateOptions<HttpOptions>
{
    public const string TrustedProxyNetworksSetting = $"{HttpOptions.SectionName}:{nameof(HttpOptions.TrustedProxyNetworks)}";

    public ValidateOptionsResult Validate(string? name, HttpOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.TrustedProxyNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(options.TrustedProxyNetworks[i], out _))
            {
                failures.Add($"{TrustedProxyNetworksSetting}:{i} ('{options.TrustedProxyNetworks[i]}') is not a network in CIDR notation such as 10.0.0.0/16.");
            }
        }

        if (environment.IsProduction() && options.TrustedProxyNetworks.Count == 0)
        {
            failures.Add($"{TrustedProxyNetworksSetting} is required in Production: list the CIDRs of the load balancer's subnets "
                + "(e.g. Http__TrustedProxyNetworks__0=10.0.0.0/16), or every client shares the load balancer's address and its rate limits.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
