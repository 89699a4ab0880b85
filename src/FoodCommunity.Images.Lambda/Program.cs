using FoodCommunity.Images.Lambda.Hosting;
using FoodCommunity.Images.Lambda.Local;

namespace FoodCommunity.Images.Lambda;

/// <summary>
/// Not top-level statements: the API's tests reference this assembly next to the API's, and two global
/// <c>Program</c> classes would collide there.
/// </summary>
public static class Program
{
    public static Task<int> Main()
    {
        // Lambda sets AWS_LAMBDA_RUNTIME_API for a custom runtime; anywhere else this binary is the local host.
        var runtimeApi = Environment.GetEnvironmentVariable(RuntimeApiClient.RuntimeApiVariable);
        return string.IsNullOrEmpty(runtimeApi)
            ? LocalHost.RunAsync(Environment.GetEnvironmentVariable)
            : LambdaRuntime.RunAsync(runtimeApi, Environment.GetEnvironmentVariable);
    }
}
