using Microsoft.AspNetCore.Http.Features;

namespace FoodCommunity.Api.Infrastructure.Http;

internal static class ProblemDetailsDefaults
{
    /// <summary>
    /// The contract promises type, title, status, detail and traceId on every error; ASP.NET Core
    /// fills all but detail for bare status codes (404, 405, 415...), so fill it from the title.
    /// </summary>
    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Detail ??= problem.Title;
        problem.Instance ??= context.HttpContext.Request.Path;
        problem.Extensions.TryAdd("traceId", context.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity.Id
            ?? context.HttpContext.TraceIdentifier);
    }
}
