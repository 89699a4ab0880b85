namespace FoodCommunity.Api.Infrastructure.Http;

/// <summary>Collects field errors for a 400 ValidationProblem, from the Domain rules' "problem or null" answers.</summary>
public static class ValidationErrors
{
    public static void AddIfAny(this Dictionary<string, string[]> errors, string field, string? problem)
    {
        if (problem is not null)
        {
            errors[field] = [problem];
        }
    }
}
