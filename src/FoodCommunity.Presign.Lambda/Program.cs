using FoodCommunity.Presign.Lambda.Hosting;
using FoodCommunity.Presign.Lambda.Local;
using Microsoft.Extensions.Configuration;

// Lambda sets AWS_LAMBDA_RUNTIME_API for a custom runtime; anywhere else this binary is the local host.
var runtimeApi = Environment.GetEnvironmentVariable(RuntimeApiClient.RuntimeApiVariable);
return string.IsNullOrEmpty(runtimeApi)
    ? await LocalHost.RunAsync(args)
    : await LambdaRuntime.RunAsync(runtimeApi, new ConfigurationBuilder().AddEnvironmentVariables().Build());
